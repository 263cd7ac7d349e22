package io.jsd.nbd.internal;

import java.util.List;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.jsd.block.BlockNode;
import io.jsd.block.Capabilities;
import io.jsd.block.NodeChild;
import io.jsd.block.NodeHandle;

/** A NodeHandle without core: the node is its own I/O interface. */
final class StubHandle implements NodeHandle {
    private final String name;
    private final BlockNode node;
    private final boolean readOnly;

    StubHandle(String name, BlockNode node, boolean readOnly) {
        this.name = name;
        this.node = node;
        this.readOnly = readOnly;
    }

    @Override public String nodeName() { return name; }
    @Override public String driver() { return "test"; }
    @Override public ObjectNode options() { return JsonNodeFactory.instance.objectNode(); }
    @Override public boolean readOnly() { return readOnly; }
    @Override public BlockNode io() { return node; }
    @Override public Capabilities capabilities() { return node.capabilities().withWrite(!readOnly); }
    @Override public List<NodeChild> children() { return node.children(); }
    @Override public boolean available() { return true; }
    @Override public AutoCloseable use(String who) { return () -> { }; }
    @Override public ObjectNode describe() { return JsonNodeFactory.instance.objectNode(); }
}
