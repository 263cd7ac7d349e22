package io.jsd.export.vhost.internal;

import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.jsd.block.BlockNode;
import io.jsd.block.Capabilities;
import io.jsd.block.NodeChild;
import io.jsd.block.NodeHandle;
import io.jsd.export.Export;
import io.jsd.export.ExportContext;
import io.jsd.options.Options;
import io.jsd.qmp.QmpEvents;
import io.jsd.qmp.QmpSession;

/** An ExportContext the way core would hand it to the driver. */
final class TestContext implements ExportContext {
    private final BlockNode node;
    private final NodeHandle handle;
    private final Options options;
    private final boolean writable;

    /** A vhost-user-blk export of {@code node} on the unix socket {@code sock}, as QSD's --export vhost-user-blk makes it. */
    static Export vhostBlk(Path sock, BlockNode node, int queues, boolean writable) throws Exception {
        String json = "{\"addr\":{\"type\":\"unix\",\"path\":\"" + sock + "\"},\"num-queues\":" + queues + "}";
        return new VhostBlkExportDriver().create(new TestContext(node, json, writable));
    }

    TestContext(BlockNode node, String json, boolean writable) throws Exception {
        this.node = node;
        this.handle = null;
        this.options = Options.of((ObjectNode) new ObjectMapper().readTree(json));
        this.writable = writable;
    }

    /** Over a real graph node (core's normalising I/O wrapper around a real driver). */
    TestContext(NodeHandle handle, String json, boolean writable) throws Exception {
        this.node = handle.io();
        this.handle = handle;
        this.options = Options.of((ObjectNode) new ObjectMapper().readTree(json));
        this.writable = writable;
    }

    @Override public String id() { return "exp0"; }
    @Override public Options options() { return options; }
    @Override public boolean writable() { return writable; }
    @Override public boolean writethrough() { return false; }
    @Override public String iothread() { return null; }
    @Override public QmpEvents events() { return (n, d) -> {}; }
    @Override public QmpSession session() { return () -> true; }

    @Override
    public NodeHandle node() {
        if (handle != null) return handle;
        return new NodeHandle() {
            @Override public String nodeName() { return "n0"; }
            @Override public String driver() { return "file"; }
            @Override public ObjectNode options() { return new ObjectMapper().createObjectNode(); }
            @Override public boolean readOnly() { return !writable; }
            @Override public BlockNode io() { return node; }
            @Override public Capabilities capabilities() { return node.capabilities(); }
            @Override public List<NodeChild> children() { return List.of(); }
            @Override public boolean available() { return true; }
            @Override public AutoCloseable use(String who) { return () -> {}; }
            @Override public ObjectNode describe() { return new ObjectMapper().createObjectNode(); }
        };
    }
}
