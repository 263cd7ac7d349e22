package io.jsd.core.internal.graph;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jsd.block.BlockException;
import io.jsd.block.BlockNode;
import io.jsd.block.ChildRole;
import io.jsd.block.OpenContext;
import io.jsd.objects.ObjectRegistry;
import io.jsd.options.OptionException;
import io.jsd.options.Options;
import io.jsd.qmp.QmpEvents;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** The {@link OpenContext} of one open (or reopen) of a node. */
final class NodeOpenContext implements OpenContext {
    private final GraphService graph;
    private final Node node;
    private final Options options;
    /** Edges this open added, undone if the open fails. */
    final List<Node.Edge> added = new ArrayList<>();

    NodeOpenContext(GraphService graph, Node node, Options options) {
        this.graph = graph;
        this.node = node;
        this.options = options;
    }

    @Override public Options options() { return options; }
    @Override public String nodeName() { return node.nodeName(); }
    @Override public boolean readOnly() { return node.common().readOnly(); }
    @Override public boolean autoReadOnly() { return node.common().autoReadOnly(); }
    @Override public boolean cacheDirect() { return node.common().cacheDirect(); }
    @Override public boolean noFlush() { return node.common().noFlush(); }
    @Override public boolean discardUnmap() { return node.common().discardUnmap(); }
    @Override public boolean forceShare() { return node.common().forceShare(); }

    @Override
    public boolean locking() {
        // only protocol drivers ask, so only they accept the option (qemu rejects it elsewhere)
        return !options.choice("locking", "auto", "on", "off", "auto").equals("off");
    }

    @Override
    public BlockNode openChild(String key, ChildRole role, boolean required) throws BlockException {
        Node.Edge existing;
        synchronized (node.edges) {
            existing = node.edges.get(key);
        }
        if (existing != null) {
            options.markUsed(key); // a reopen: the child from the first open is kept
            return existing.child().io();
        }
        JsonNode v = options.raw(key);
        if (v == null || v.isNull()) {
            if (required) throw options.missing(key);
            return null;
        }
        Node child;
        if (v.isTextual()) {
            // a writable parent over a read-only child is allowed, as in qemu: it simply cannot be
            // written (its capabilities say so, and a writable export of it is refused)
            child = graph.requireNode(v.asText());
        } else if (v.isObject()) {
            child = graph.openNode(options.child(key), inheritedFor(role), role, false);
        } else {
            throw new OptionException("Invalid parameter type for '" + key + "', expected: BlockdevRef");
        }
        return link(key, role, child);
    }

    @Override
    public BlockNode openChild(String key, ChildRole role, ObjectNode childOptions) throws BlockException {
        Node.Edge existing;
        synchronized (node.edges) {
            existing = node.edges.get(key);
        }
        if (existing != null) return existing.child().io();
        Node child = graph.openNode(new Options(childOptions, key + ".", false), inheritedFor(role), role, false);
        return link(key, role, child);
    }

    @Override
    public BlockNode openBacking(String headerName, String headerFormat) throws BlockException {
        Node.Edge existing;
        synchronized (node.edges) {
            existing = node.edges.get("backing");
        }
        if (existing != null) {
            options.markUsed("backing"); // a reopen keeps the backing node of the first open
            return existing.child().io();
        }
        boolean given = options.json().has("backing");
        JsonNode v = options.raw("backing");
        if (given && (v == null || v.isNull() || (v.isTextual() && v.asText().isEmpty()))) return null; // backing=null
        if (given && v.isTextual()) return backingFailed(() -> openChild("backing", ChildRole.COW, false));
        if (!given && (headerName == null || headerName.isEmpty())) return null;
        // qemu's own errors about the name come unprefixed ("Cannot generate a base directory ...")
        String name = given ? null : node.makeAbsolute(headerName);
        try (BackingChain.Level level = backingFailed(() -> graph.backingChain().enter(node))) {
            if (given) return backingFailed(() -> openChild("backing", ChildRole.COW, false));
            ObjectNode o = backingFailed(() -> BackingOptions.forHeader(name, headerFormat, graph::installed));
            backingFailed(() -> {
                graph.backingChain().checkTarget(BackingOptions.localFile(o));
                return null;
            });
            if (!o.has("driver") && o.path("file").isObject()) {
                ObjectNode file = (ObjectNode) o.get("file");
                o.put("driver", backingFailed(() -> probe(file)));
            }
            return backingFailed(() -> openChild("backing", ChildRole.COW, o));
        }
    }

    private static final String BACKING_FAILED = "Could not open backing file: ";

    private interface Step<T> {
        T run() throws BlockException;
    }

    /** Runs one step of opening the backing file; its errors read as qemu's "Could not open backing file: ...". */
    private static <T> T backingFailed(Step<T> step) throws BlockException {
        try {
            return step.run();
        } catch (BlockException e) {
            throw new BlockException(e.kind(), BACKING_FAILED + e.getMessage(), e);
        } catch (OptionException e) {
            throw new OptionException(BACKING_FAILED + e.getMessage());
        }
    }

    /** qemu's format probe, for a backing file whose header names no format: qcow2 by its magic, else raw. */
    private String probe(ObjectNode fileOptions) throws BlockException {
        Node p = graph.openNode(new Options(fileOptions.deepCopy(), "backing.file.", false), inheritedFor(ChildRole.COW),
                ChildRole.PRIMARY, false);
        try {
            int n = (int) Math.min(512, p.size.get());
            ByteBuffer b = ByteBuffer.allocate(512);
            if (n > 0) p.io().read(0, b.limit(n));
            // qcow2_probe: the magic "QFI\xfb" and a version of at least 2 in a whole header
            return n >= 104 && b.getInt(0) == 0x514649fb && b.getInt(4) >= 2 ? "qcow2" : "raw";
        } finally {
            graph.discard(p);
        }
    }

    private CommonOptions inheritedFor(ChildRole role) {
        CommonOptions c = node.common();
        return role == ChildRole.COW ? c.withReadOnly(true) : c;
    }

    private BlockNode link(String key, ChildRole role, Node child) throws BlockException {
        try {
            if (!child.common().active() && node.common().active()) {
                throw BlockException.invalid("Inactive '" + child.nodeName() + "' can't be a " + key
                        + " child of active '" + node.nodeName() + "'");
            }
            Grant g = PermissionGraph.edgeGrant(node, key, role, child);
            graph.permissions.change(child, g.owner(), g);
        } catch (BlockException | RuntimeException ex) {
            if (child.implicit && child.parents.isEmpty()) graph.remove(child); // opened for this edge only
            throw ex;
        }
        Node.Edge e = new Node.Edge(key, role, child);
        synchronized (node.edges) {
            node.edges.put(key, e);
        }
        child.parents.add(node);
        added.add(e);
        if (key.equals("file")) graph.list(node);
        return child.io();
    }

    @Override public ObjectRegistry objects() { return graph.objects(); }

    @Override public QmpEvents events() { return graph.events(); }
}
