package io.jsd.core.internal.graph;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jsd.block.BlockException;
import io.jsd.block.BlockLimits;
import io.jsd.block.BlockNode;
import io.jsd.block.Capabilities;
import io.jsd.block.ChildRole;
import io.jsd.block.NodeChild;
import io.jsd.block.NodeHandle;
import io.jsd.block.Support;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One node of the graph: the options it was created from (kept to reopen it when its driver comes
 * back), its edges, its users, and the open driver node behind the {@link NodeIo} wrapper.
 */
final class Node implements NodeHandle {
    /** What is open right now: the driver's node, its own and the normalised capabilities, its limits. */
    record Opened(BlockNode driver, Capabilities raw, Capabilities caps, BlockLimits limits) {}

    /** A child edge: the option key, the role and the child. */
    record Edge(String key, ChildRole role, Node child) {}

    private static final Set<String> COMMON_KEYS =
            Set.of("node-name", "read-only", "auto-read-only", "cache", "discard", "detect-zeroes", "force-share", "active");

    private final GraphService graph;
    private final String name;
    private final ObjectNode options;
    private final String prefix;
    private final boolean keyval;
    /** The defaults inherited from the parent (the root's are qemu's defaults) and the role it was created for. */
    final CommonOptions inherited;
    final ChildRole role;
    /** Created inline inside another node's options: deleted with its last parent. */
    final boolean implicit;

    private volatile CommonOptions common;
    final IoGate gate = new IoGate();
    final IoStats stats = new IoStats();
    final AtomicLong size = new AtomicLong();
    volatile Opened opened;
    private final NodeIo io = new NodeIo(this);
    /** The edges to children, kept across a driver restart so the same children are reused. */
    final Map<String, Edge> edges = new LinkedHashMap<>();
    final List<Node> parents = new CopyOnWriteArrayList<>();
    final Map<Object, String> users = new LinkedHashMap<>();
    /** What the node's users hold and share (see {@link PermissionGraph}). */
    final NodePermissions perms = new NodePermissions();
    /** The image facts last reported by the driver, shown while the driver is away. */
    private volatile ObjectNode lastImage;

    Node(GraphService graph, String name, ObjectNode options, String prefix, boolean keyval,
         CommonOptions inherited, ChildRole role, boolean implicit, CommonOptions common) {
        this.graph = graph;
        this.name = name;
        this.options = options;
        this.prefix = prefix;
        this.keyval = keyval;
        this.inherited = inherited;
        this.role = role;
        this.implicit = implicit;
        this.common = common;
    }

    io.jsd.options.Options freshOptions() { return new io.jsd.options.Options(options, prefix, keyval); }

    CommonOptions common() { return common; }

    void common(CommonOptions c) { common = c; }

    /** Makes {@code drv} the open node: derives the capabilities and opens the gate. */
    void attach(BlockNode drv) throws BlockException {
        Capabilities raw = drv.capabilities();
        BlockLimits limits = drv.limits();
        boolean w = raw.write() && !common.readOnly();
        Capabilities caps = new Capabilities(w,
                !w ? Support.NONE : raw.writeZeroes() == Support.NATIVE ? Support.NATIVE : Support.EMULATED,
                !w ? Support.NONE : raw.fua() == Support.NATIVE ? Support.NATIVE : Support.EMULATED,
                w && raw.discard() && common.discardUnmap(),
                raw.flush() && !common.noFlush(),
                raw.blockStatus(), w && raw.truncate(), raw.multiConn());
        if (!raw.write() && !common.readOnly() && common.autoReadOnly()) common = common.withReadOnly(true); // fell back
        size.set(sectorSize(drv.size()));
        opened = new Opened(drv, raw, caps, limits);
        gate.open();
        lastImage = null;
        lastImage = imageInfo();
    }

    /**
     * qemu keeps node lengths in 512-byte sectors, so a 1000-byte file is a 1024-byte node whose
     * tail reads as zeroes; JSD reports and accepts the same.
     */
    static long sectorSize(long bytes) { return (bytes + 511) & ~511L; }

    /** Drains and closes the driver node; I/O afterwards fails with {@code reason}. */
    void detach(String reason) {
        gate.close(reason);
        Opened o = opened;
        if (o == null) return;
        try {
            o.driver().flush();
        } catch (Exception e) {
            // the data went where it could; closing must still happen
        }
        try {
            o.driver().close();
        } catch (Exception e) {
            // nothing more to do: the node is gone either way
        }
    }

    @Override public String nodeName() { return name; }

    @Override public String driver() { return common.driver(); }

    @Override public ObjectNode options() { return options.deepCopy(); }

    @Override public boolean readOnly() { return common.readOnly(); }

    @Override public BlockNode io() { return io; }

    @Override
    public Capabilities capabilities() {
        Opened o = opened;
        return o == null ? Capabilities.BASIC.withWrite(false) : o.caps();
    }

    @Override
    public List<NodeChild> children() {
        synchronized (edges) {
            List<NodeChild> out = new ArrayList<>();
            for (Edge e : edges.values()) out.add(new NodeChild(e.key(), e.role(), e.child().io()));
            return out;
        }
    }

    List<Edge> edgeList() {
        synchronized (edges) {
            return new ArrayList<>(edges.values());
        }
    }

    @Override public boolean available() { return gate.isOpen(); }

    @Override
    public AutoCloseable use(String who) throws BlockException {
        Object token = new Object();
        synchronized (users) {
            users.put(token, who);
        }
        return () -> {
            synchronized (users) {
                users.remove(token);
            }
        };
    }

    @Override
    public io.jsd.block.NodeUse use(String who, int perm, int shared) throws BlockException {
        return PermissionUse.register(graph.permissions, this, who, perm, shared);
    }

    List<String> userNames() {
        synchronized (users) {
            return new ArrayList<>(users.values());
        }
    }

    @Override
    public ObjectNode stats() { return stats.describe(); }

    /** qemu's "image" object (ImageInfo): filename, format, virtual-size, plus what the driver adds. */
    ObjectNode imageInfo() {
        Opened o = opened;
        if ((o == null || !gate.isOpen()) && lastImage != null) return lastImage.deepCopy();
        ObjectNode img = JsonNodeFactory.instance.objectNode();
        img.put("virtual-size", size.get());
        String plain = plainFilename();
        img.put("filename", plain != null ? plain : "json:" + QemuJson.write(fullOptions()));
        img.put("format", driver());
        if (o != null && gate.isOpen()) {
            try {
                o.driver().describe(img);
            } catch (RuntimeException e) {
                // a driver's description is decoration; never fail a query over it
            }
        }
        if (!img.path("encrypted").asBoolean(true)) img.remove("encrypted"); // qemu shows it only when true
        if (!img.has("actual-size")) {
            // qemu's default bdrv_get_allocated_file_size: what the file child occupies
            Edge file;
            synchronized (edges) {
                file = edges.get("file");
            }
            if (file != null) {
                JsonNode a = file.child().imageInfo().get("actual-size");
                if (a != null) img.set("actual-size", a);
            }
        }
        return img;
    }

    /**
     * qemu's rule in bdrv_refresh_filename: a format node over a protocol "file" child (a leaf with
     * a plain filename) is named by its file's filename unless it has strong options of its own or
     * its backing was overridden; otherwise it gets a json: filename.
     */
    private String plainFilename() {
        Edge file;
        synchronized (edges) {
            file = edges.get("file");
        }
        if (file == null || !file.child().edgeList().isEmpty()) return null;
        for (var e : options.properties()) {
            if (strongOption(e.getKey())) return null;
        }
        if (backingOverridden()) return null;
        String name = file.child().imageInfo().path("filename").asText(null);
        return name == null || name.startsWith("json:") ? null : name;
    }

    /** Options that do not change what the image is, left out of json: filenames (qemu's weak runtime options). */
    private static final Set<String> WEAK_KEYS = Set.of("aio", "aio-max-batch", "locking", "drop-cache", "pr-manager",
            "x-check-cache-dropped", "latency-ns");

    /** An option that changes what the image is (qemu's strong runtime option); children count by their own. */
    private boolean strongOption(String k) {
        if (k.equals("driver") || k.equals("backing") || COMMON_KEYS.contains(k) || WEAK_KEYS.contains(k)) return false;
        synchronized (edges) {
            if (edges.containsKey(k)) return false;
        }
        Opened o = opened;
        return o == null || o.driver().strongOption(k);
    }

    /**
     * qemu's bdrv_backing_overridden: a backing node opened from the image header is what the header
     * names; one given by the user is overridden unless its filename is the header's backing file;
     * no backing node where the header names one ({@code "backing": null}) is overridden too.
     */
    private boolean backingOverridden() {
        Node b = backing();
        if (b != null && !options.has("backing")) return false; // opened from the header
        String header = headerBackingFile();
        if (b == null) return !header.isEmpty();
        return !header.equals(b.imageInfo().path("filename").asText(""));
    }

    /** The backing file the image header names (qemu's auto_backing_file before a backing node is opened), or "". */
    private String headerBackingFile() {
        Opened o = opened;
        if (o == null || !gate.isOpen()) {
            ObjectNode last = lastImage;
            return last == null ? "" : last.path("backing-filename").asText("");
        }
        ObjectNode scratch = JsonNodeFactory.instance.objectNode();
        try {
            o.driver().describe(scratch);
        } catch (RuntimeException e) {
            return "";
        }
        return scratch.path("backing-filename").asText("");
    }

    /**
     * What a json: filename is built from (qemu's full_open_options): the driver, its strong
     * options, and each child's own full options (children given by reference are expanded); a
     * backing child only when it was overridden, and {@code "backing": null} when it was removed.
     */
    ObjectNode fullOptions() {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("driver", driver());
        options.properties().forEach(e -> {
            if (strongOption(e.getKey())) out.set(e.getKey(), e.getValue());
        });
        boolean overridden = backingOverridden();
        for (Edge e : edgeList()) {
            if (e.role() == ChildRole.COW && !overridden) continue;
            out.set(e.key(), e.child().fullOptions());
        }
        if (overridden && backing() == null) out.putNull("backing");
        return out;
    }

    /** A driver reports its bitmaps with the image facts; qemu shows them on the node's entry instead. */
    private static final String DIRTY_BITMAPS = "dirty-bitmaps";

    /** The query-named-block-nodes entry (qemu's BlockDeviceInfo), backing chain nested. */
    @Override
    public ObjectNode describe() { return describe(false); }

    /** The backing (COW) child, if any. */
    private Node backing() {
        for (Edge e : edgeList()) if (e.role() == ChildRole.COW) return e.child();
        return null;
    }

    /** This node's image with what its backing node adds (qemu's bdrv_query_image_info). */
    private ObjectNode imageWithBacking(boolean nest) { return withBacking(imageInfo(), nest); }

    /** Adds to {@code image} (this node's, as imageInfo gave it) what the backing node adds. */
    private ObjectNode withBacking(ObjectNode image, boolean nest) {
        image.remove(DIRTY_BITMAPS);
        // qemu's bdrv_query_image_info: the header's name made absolute, whatever node is the backing
        String named = image.path("backing-filename").asText("");
        image.remove("full-backing-filename");
        if (!named.isEmpty()) {
            try {
                image.put("full-backing-filename", makeAbsolute(named));
            } catch (BlockException e) {
                // no directory to resolve against: qemu leaves the field out
            }
        }
        Node b = backing();
        if (b != null && nest) image.set("backing-image", b.imageWithBacking(true));
        return image;
    }

    /** The primary (or filtered) child: where this node's data, and its filename, come from. */
    private Node primaryChild() {
        for (Edge e : edgeList()) if (e.role() == ChildRole.PRIMARY || e.role() == ChildRole.FILTERED) return e.child();
        return null;
    }

    /** The node at the end of the primary children (this node when it has none): the protocol node holding the image. */
    Node leaf() {
        Node n = this;
        for (Node c = n.primaryChild(); c != null && c != this; c = n.primaryChild()) n = c;
        return n;
    }

    /**
     * qemu's bdrv_dirname: the directory relative backing file names of this node are relative to,
     * that of its leaf's filename ("" for a bare relative name, which stays relative to the cwd).
     */
    String dirname() throws BlockException {
        Node leaf = leaf();
        String exact = leaf.imageInfo().path("filename").asText("");
        if (exact.isEmpty() || exact.startsWith("json:")) {
            throw BlockException.invalid("Cannot generate a base directory for " + leaf.driver() + " nodes");
        }
        return QemuPaths.combine(exact, "");
    }

    /** qemu's bdrv_make_absolute_filename: a name with a protocol or an absolute path as is, else joined to {@link #dirname}. */
    String makeAbsolute(String name) throws BlockException {
        if (QemuPaths.hasProtocol(name) || QemuPaths.isAbsolute(name)) return name;
        return dirname() + name;
    }

    @Override
    public ObjectNode describe(boolean flat) {
        CommonOptions c = common;
        ObjectNode own = imageInfo();
        JsonNode bitmaps = own.get(DIRTY_BITMAPS);
        ObjectNode image = withBacking(own, !flat);
        ObjectNode d = JsonNodeFactory.instance.objectNode();
        if (bitmaps != null) d.set(DIRTY_BITMAPS, bitmaps);
        d.set("file", image.get("filename"));
        d.put("node-name", name);
        d.put("ro", c.readOnly());
        d.put("drv", c.driver());
        Node b = backing();
        if (b != null) d.set("backing_file", b.imageInfo().get("filename")); // qemu: the backing node's filename
        d.put("backing_file_depth", flat ? 0 : backingDepth());
        // a driver reports encryption in the image; qemu shows it there only when true
        d.put("encrypted", image.path("encrypted").asBoolean(false));
        d.put("detect_zeroes", c.detectZeroes());
        for (String k : new String[] {"bps", "bps_rd", "bps_wr", "iops", "iops_rd", "iops_wr"}) d.put(k, 0);
        d.set("image", image);
        ObjectNode cache = d.putObject("cache");
        cache.put("writeback", true);
        cache.put("direct", c.cacheDirect());
        cache.put("no-flush", c.noFlush());
        d.put("write_threshold", 0);
        d.put("active", c.active());
        return d;
    }

    private int backingDepth() {
        int depth = 0;
        Node n = this;
        for (int steps = 0; n != null && steps <= 2 * BackingChain.MAX_DEPTH; steps++) {
            Node next = null;
            for (Edge e : n.edgeList()) {
                if (e.role() == ChildRole.COW) {
                    depth++;
                    next = e.child();
                    break;
                }
                if (e.role() == ChildRole.FILTERED) {
                    next = e.child();
                    break;
                }
            }
            n = next;
        }
        return depth;
    }

    @Override
    public String toString() { return "node '" + name + "' (" + driver() + ")"; }
}
