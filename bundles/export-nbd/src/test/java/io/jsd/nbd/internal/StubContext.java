package io.jsd.nbd.internal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.jsd.block.NodeHandle;
import io.jsd.export.ExportContext;
import io.jsd.options.Options;
import io.jsd.qmp.QmpEvents;
import io.jsd.qmp.QmpSession;

/** An ExportContext without core. */
final class StubContext implements ExportContext {
    private final String id;
    private final NodeHandle node;
    private final Options options;
    private final boolean writable;

    StubContext(String id, NodeHandle node, ObjectNode options, boolean writable) {
        this.id = id;
        this.node = node;
        this.options = new Options(options == null ? JsonNodeFactory.instance.objectNode() : options, "", false);
        this.writable = writable;
    }

    @Override public String id() { return id; }
    @Override public NodeHandle node() { return node; }
    @Override public Options options() { return options; }
    @Override public boolean writable() { return writable; }
    @Override public boolean writethrough() { return false; }
    @Override public String iothread() { return null; }
    @Override public QmpEvents events() { return (n, d) -> { }; }
    @Override public QmpSession session() { return () -> false; }
}
