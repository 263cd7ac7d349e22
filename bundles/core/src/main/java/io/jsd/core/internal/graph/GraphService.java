package io.jsd.core.internal.graph;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jsd.block.BlockDriver;
import io.jsd.block.BlockException;
import io.jsd.block.BlockGraph;
import io.jsd.block.BlockNode;
import io.jsd.block.ChildRole;
import io.jsd.block.NodeHandle;
import io.jsd.objects.ObjectRegistry;
import io.jsd.options.OptionException;
import io.jsd.options.Options;
import io.jsd.qmp.QmpEvents;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The block graph: nodes by name, the installed drivers by name, blockdev-add / blockdev-del.
 *
 * <p>Drivers come and go with their bundles. When one leaves, the nodes it opened are drained and
 * closed but stay in the graph (I/O on them fails with an error naming the driver); when a driver
 * of that name returns they are reopened from the options they were created with. Parents and
 * exports hold the node's {@link NodeIo}, which is the same object before and after, so they keep
 * working.
 */
@Component(service = BlockGraph.class)
public final class GraphService implements BlockGraph {
    private final ReentrantLock lock = new ReentrantLock();
    /** Installed drivers; the first of each name is the one in use. */
    private final Map<String, List<BlockDriver>> drivers = new HashMap<>();
    /** Every node by name (including ones still opening, so duplicates in one tree are caught). */
    private final Map<String, Node> byName = new HashMap<>();
    /** Opened nodes in creation order (children before their parents). */
    private final List<Node> order = new ArrayList<>();
    private final NodeNames names = new NodeNames();
    /** The backing chain being opened (opens run under {@link #lock}, one at a time). */
    private final BackingChain backingChain = new BackingChain();
    /** Who holds and shares what on each node. */
    final PermissionGraph permissions = new PermissionGraph();

    /** Looked up when used, not referenced: see {@link LazyServices}. */
    private volatile QmpEvents events;
    private volatile ObjectRegistry objects;

    public GraphService() {}

    @Activate
    void activate(BundleContext bc) {
        events = LazyServices.events(bc);
        objects = LazyServices.objects(bc);
    }

    /** For tests outside OSGi. */
    public GraphService(QmpEvents events, ObjectRegistry objects) {
        this.events = events;
        this.objects = objects;
    }

    QmpEvents events() { return events; }

    BackingChain backingChain() { return backingChain; }

    /** Whether a driver of this name is installed (under the lock, as during an open). */
    boolean installed(String driver) {
        List<BlockDriver> list = drivers.get(driver);
        return list != null && !list.isEmpty();
    }

    /** Closes and forgets a node opened only to look at it (a backing file's format probe). */
    void discard(Node n) { remove(n); }

    ObjectRegistry objects() { return objects; }

    // ---- drivers ----

    @Reference(service = BlockDriver.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindDriver")
    void bindDriver(BlockDriver driver, Map<String, Object> props) {
        addDriver(String.valueOf(props.get(BlockDriver.NAME_PROPERTY)), driver);
    }

    void unbindDriver(BlockDriver driver, Map<String, Object> props) {
        removeDriver(String.valueOf(props.get(BlockDriver.NAME_PROPERTY)), driver);
    }

    /** Installs a driver under {@code name} and reopens the nodes that were waiting for it. */
    public void addDriver(String name, BlockDriver driver) {
        lock.lock();
        try {
            drivers.computeIfAbsent(name, k -> new ArrayList<>()).add(driver);
            reopenWaiting();
        } finally {
            lock.unlock();
        }
    }

    /** Removes a driver; if it was the one in use, its nodes are closed (and reopened by another of that name, if any). */
    public void removeDriver(String name, BlockDriver driver) {
        lock.lock();
        try {
            List<BlockDriver> list = drivers.get(name);
            if (list == null) return;
            boolean wasCurrent = !list.isEmpty() && list.get(0) == driver;
            list.remove(driver);
            if (list.isEmpty()) drivers.remove(name);
            if (!wasCurrent) return;
            // The driver's nodes and everything above them close, parents first: a format node
            // (qcow2) is drained and flushed while its child still works, instead of failing a
            // half-done allocation on it (leaked clusters); it reopens after its child does.
            java.util.Set<Node> above = new java.util.HashSet<>();
            for (Node n : order) if (n.driver().equals(name)) ancestors(n, above);
            for (Node n : parentsFirst()) {
                if (above.contains(n) && n.available()) {
                    n.detach("Block driver '" + name + "' is not installed: node '" + n.nodeName()
                            + "' is closed until the driver returns");
                }
            }
            reopenWaiting();
        } finally {
            lock.unlock();
        }
    }

    /** {@code n} and every node above it. */
    private static void ancestors(Node n, java.util.Set<Node> out) {
        if (!out.add(n)) return;
        for (Node p : n.parents) ancestors(p, out);
    }

    /** Every node after all of its parents (listing order alone does not ensure it for backing chains). */
    private List<Node> parentsFirst() {
        List<Node> out = new ArrayList<>();
        java.util.Set<Node> seen = new java.util.HashSet<>();
        for (int i = order.size() - 1; i >= 0; i--) visit(order.get(i), seen, out);
        return out;
    }

    private static void visit(Node n, java.util.Set<Node> seen, List<Node> out) {
        if (!seen.add(n)) return;
        for (Node p : n.parents) visit(p, seen, out);
        out.add(n);
    }

    @Override
    public Optional<BlockDriver> driver(String name) {
        lock.lock();
        try {
            List<BlockDriver> list = drivers.get(name);
            return list == null || list.isEmpty() ? Optional.empty() : Optional.of(list.get(0));
        } finally {
            lock.unlock();
        }
    }

    /** Reopens closed nodes whose driver is installed, children first, until nothing more opens. */
    private void reopenWaiting() {
        boolean progress = true;
        while (progress) {
            progress = false;
            for (Node n : new ArrayList<>(order)) {
                if (n.available()) continue;
                Optional<BlockDriver> d = driver(n.driver());
                if (d.isEmpty()) continue;
                try {
                    reopen(n, d.get());
                    progress = true;
                } catch (Exception e) {
                    // stays closed (e.g. its child's driver is still missing); retried on the next change
                }
            }
        }
    }

    private void reopen(Node n, BlockDriver driver) throws Exception {
        Options o = n.freshOptions();
        n.common(CommonOptions.parse(o, n.inherited, n.role));
        NodeOpenContext ctx = new NodeOpenContext(this, n, o);
        BlockNode drv = driver.open(ctx);
        try {
            o.checkAllUsed();
            n.attach(drv);
            try {
                permissions.reapply(n); // the old driver node's locks went with it
            } catch (BlockException e) {
                n.gate.close("Could not reopen node '" + n.nodeName() + "': " + e.getMessage());
                throw e;
            }
        } catch (Exception e) {
            drv.close();
            throw e;
        }
    }

    // ---- blockdev-add ----

    @Override
    public NodeHandle add(ObjectNode options) throws BlockException {
        return add(Options.of(options));
    }

    @Override
    public NodeHandle add(Options options) throws BlockException {
        // on a thread of its own: a backing chain opens recursively (see DeepStack)
        return DeepStack.call(options.json().path("node-name").asText("a node"), () -> {
            lock.lock();
            try {
                options.string("driver");
                if (!options.has("node-name")) {
                    throw new OptionException("'node-name' must be specified for the root node");
                }
                return openNode(options, CommonOptions.ROOT_DEFAULTS, null, true);
            } finally {
                lock.unlock();
            }
        });
    }

    /** Opens one node (and, through the driver, its inline children); registers it on success. */
    Node openNode(Options o, CommonOptions inherited, ChildRole role, boolean root) throws BlockException {
        CommonOptions common = CommonOptions.parse(o, inherited, role);
        String name = common.nodeName();
        if (name != null) {
            NodeNames.validate(name);
            if (byName.containsKey(name)) throw new OptionException("Duplicate nodes with node-name='" + name + "'");
        } else {
            name = names.generate();
        }
        List<BlockDriver> list = drivers.get(common.driver());
        if (list == null || list.isEmpty()) {
            o.choice("driver", null, drivers.keySet().toArray(String[]::new)); // qemu's "does not accept value"
        }
        BlockDriver driver = list.get(0);
        Node n = new Node(this, name, o.json().deepCopy(), o.prefix(), o.keyval(), inherited, role, !root, common);
        byName.put(name, n);
        NodeOpenContext ctx = new NodeOpenContext(this, n, o);
        BlockNode drv = null;
        try {
            drv = driver.open(ctx);
            NodeLength.check(drv.size());
            common.validate();
            o.checkAllUsed();
            n.attach(drv);
        } catch (BlockException | OptionException e) {
            undoOpen(n, ctx, drv);
            throw e;
        } catch (RuntimeException e) {
            undoOpen(n, ctx, drv);
            throw BlockException.io("Driver '" + common.driver() + "' failed to open node '" + name + "': " + e, e);
        }
        list(n);
        return n;
    }

    /**
     * Puts a node in the listing order. qemu lists a node once its "file" child is open and
     * before its driver opens the rest (a backing chain comes after), so the driver's
     * openChild("file") lists it; other nodes are listed when their open completes.
     */
    void list(Node n) {
        if (!order.contains(n)) order.add(n);
    }

    private void undoOpen(Node n, NodeOpenContext ctx, BlockNode drv) {
        order.remove(n);
        if (drv != null) {
            try {
                drv.close();
            } catch (Exception e) {
                // already failing; the original error is what the user needs
            }
        }
        byName.remove(n.nodeName());
        for (Node.Edge e : ctx.added) {
            permissions.release(e.child(), new Grant.ParentEdge(n, e.key()));
            e.child().parents.remove(n);
            if (e.child().implicit && e.child().parents.isEmpty()) remove(e.child());
        }
        synchronized (n.edges) {
            n.edges.clear();
        }
    }

    // ---- blockdev-del ----

    @Override
    public void delete(String nodeName) throws BlockException {
        lock.lock();
        try {
            Node n = byName.get(nodeName);
            if (n == null || !order.contains(n)) {
                throw new BlockException(BlockException.Kind.NOT_FOUND, "Failed to find node with node-name='" + nodeName + "'");
            }
            List<String> users = n.userNames();
            for (String who : users) {
                if (who.startsWith("job ")) {
                    throw new BlockException(BlockException.Kind.BUSY,
                            "Node '" + nodeName + "' is busy: block device is in use by block job: " + who.substring(4));
                }
            }
            if (!users.isEmpty()) throw new BlockException(BlockException.Kind.BUSY, "Node " + nodeName + " is in use");
            if (n.implicit) {
                throw new BlockException(BlockException.Kind.BUSY, "Node " + nodeName + " is not owned by the monitor");
            }
            if (!n.parents.isEmpty()) {
                throw new BlockException(BlockException.Kind.BUSY, "Block device " + nodeName + " is in use");
            }
            remove(n);
        } finally {
            lock.unlock();
        }
    }

    /** Closes and forgets a node; implicit children without other parents go with it. */
    void remove(Node n) {
        n.detach("Node '" + n.nodeName() + "' has been deleted");
        byName.remove(n.nodeName());
        order.remove(n);
        for (Node.Edge e : n.edgeList()) {
            Node c = e.child();
            permissions.release(c, new Grant.ParentEdge(n, e.key()));
            c.parents.remove(n);
            if (c.implicit && c.parents.isEmpty() && c.userNames().isEmpty()) remove(c);
        }
    }

    // ---- lookups ----

    @Override
    public Optional<NodeHandle> find(String nodeName) {
        lock.lock();
        try {
            Node n = byName.get(nodeName);
            return n != null && order.contains(n) && n.opened != null ? Optional.of(n) : Optional.empty();
        } finally {
            lock.unlock();
        }
    }

    Node requireNode(String nodeName) throws BlockException {
        Node n = byName.get(nodeName);
        if (n == null || !order.contains(n) || n.opened == null) {
            throw new BlockException(BlockException.Kind.NOT_FOUND,
                    "Cannot find device='" + nodeName + "' nor node-name='" + nodeName + "'");
        }
        return n;
    }

    @Override
    public NodeHandle require(String nodeName) throws BlockException {
        lock.lock();
        try {
            return requireNode(nodeName);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<NodeHandle> nodes() {
        lock.lock();
        try {
            return new ArrayList<>(order);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Daemon shutdown (or core leaving): every node is flushed and closed, parents before their
     * children, as qemu's bdrv_close_all does, so images write back their caches and state
     * (e.g. qcow2 persistent bitmaps lose their in_use flag).
     */
    @Deactivate
    public void closeAll() {
        lock.lock();
        try {
            for (Node n : parentsFirst()) {
                if (n.available()) n.detach("The block layer is shutting down");
            }
        } finally {
            lock.unlock();
        }
    }
}
