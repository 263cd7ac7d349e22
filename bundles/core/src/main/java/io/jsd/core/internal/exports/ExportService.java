package io.jsd.core.internal.exports;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jsd.block.BlockGraph;
import io.jsd.block.NodeHandle;
import io.jsd.block.Permission;
import io.jsd.export.Export;
import io.jsd.export.ExportDriver;
import io.jsd.export.ExportRegistry;
import io.jsd.objects.ObjectRegistry;
import io.jsd.options.Options;
import io.jsd.qmp.QmpEvents;
import io.jsd.qmp.QmpException;
import io.jsd.qmp.QmpSession;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
 * The exports core owns. The common checks of block-export-add happen here once (qemu's
 * block/export/export.c); the export driver found by type does the rest. When an export driver
 * leaves, its exports are closed but kept, and recreated from the same options when a driver of
 * that type returns.
 */
@Component(service = ExportRegistry.class)
public final class ExportService implements ExportRegistry {
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, List<ExportDriver>> drivers = new HashMap<>();
    private final Map<String, ExportEntry> exports = new LinkedHashMap<>();
    private final BlockGraph graph;
    /** To check an export's iothread: QSD refuses a name that is no iothread object. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ObjectRegistry objects;

    /** Looked up when an event is emitted, not referenced (see LazyServices: a DS reference makes a cycle). */
    private volatile QmpEvents events;

    @Activate
    public ExportService(@Reference(name = "graph") BlockGraph graph, BundleContext bc) {
        this.graph = graph;
        this.events = io.jsd.core.internal.graph.LazyServices.events(bc);
    }

    /** For tests outside OSGi. */
    public ExportService(BlockGraph graph, QmpEvents events) {
        this.graph = graph;
        this.events = events;
    }

    // ---- drivers ----

    @Reference(service = ExportDriver.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindDriver")
    void bindDriver(ExportDriver d, Map<String, Object> props) {
        addDriver(String.valueOf(props.get(ExportDriver.TYPE_PROPERTY)), d);
    }

    void unbindDriver(ExportDriver d, Map<String, Object> props) {
        removeDriver(String.valueOf(props.get(ExportDriver.TYPE_PROPERTY)), d);
    }

    public void addDriver(String type, ExportDriver d) {
        lock.lock();
        try {
            drivers.computeIfAbsent(type, k -> new ArrayList<>()).add(d);
            for (ExportEntry e : exports.values()) {
                if (e.type.equals(type) && e.export == null) {
                    try {
                        Options o = new Options(e.options.deepCopy(), "", e.keyval);
                        e.export = start(d, e, o, readCommon(o));
                    } catch (Exception ex) {
                        // stays down; query-block-exports still lists it and block-export-del removes it
                    }
                }
            }
        } finally {
            lock.unlock();
        }
    }

    public void removeDriver(String type, ExportDriver d) {
        lock.lock();
        try {
            List<ExportDriver> list = drivers.get(type);
            if (list == null) return;
            boolean current = list.get(0) == d;
            list.remove(d);
            if (list.isEmpty()) drivers.remove(type);
            if (!current) return;
            for (ExportEntry e : exports.values()) {
                if (!e.type.equals(type) || e.export == null) continue;
                Export x = e.export;
                e.export = null;
                try {
                    x.close(true);
                } catch (RuntimeException ex) {
                    // the driver is leaving anyway
                }
                if (!list.isEmpty()) {
                    try {
                        Options o = new Options(e.options.deepCopy(), "", e.keyval);
                        e.export = start(list.get(0), e, o, readCommon(o));
                    } catch (Exception ex) {
                        // stays down until another driver of this type comes
                    }
                }
            }
        } finally {
            lock.unlock();
        }
    }

    // ---- block-export-add ----

    /** The common options of BlockExportOptions. */
    private record Common(String type, String id, String nodeName, boolean writable, boolean writethrough, String iothread) {}

    private static Common readCommon(Options o) {
        String type = o.string("type");
        String id = o.string("id");
        String node = o.string("node-name");
        boolean writable = o.bool("writable", false);
        boolean writethrough = o.bool("writethrough", false);
        String iothread = o.optString("iothread").orElse(null);
        o.bool("fixed-iothread", false);
        o.bool("allow-inactive", false);
        return new Common(type, id, node, writable, writethrough, iothread);
    }

    @Override
    public void add(Options o, QmpSession session) throws Exception {
        lock.lock();
        try {
            String type = o.string("type");
            List<ExportDriver> list = drivers.get(type);
            if (list == null || list.isEmpty()) {
                o.choice("type", null, drivers.keySet().toArray(String[]::new)); // "does not accept value"
            }
            Common c = readCommon(o);
            // QSD checks every argument (QAPI) before anything else: read them all on a copy first
            Options all = new Options(o.json().deepCopy(), o.prefix(), o.keyval());
            readCommon(all);
            if (list.get(0).readOptions(all)) all.checkAllUsed();
            if (!io.jsd.core.internal.Ids.wellFormed(c.id())) throw QmpException.generic("Invalid block export id");
            if (exports.containsKey(c.id())) throw QmpException.generic("Block export id '" + c.id() + "' is already in use");
            NodeHandle node = graph.find(c.nodeName()).orElseThrow(() -> QmpException.generic(
                    "Cannot find device='' nor node-name='" + c.nodeName() + "'"));
            if (c.iothread() != null && !isIothread(c.iothread())) throw QmpException.generic("iothread \"" + c.iothread() + "\" not found");
            if (c.writable() && node.readOnly()) throw QmpException.generic("Cannot export read-only node as writable");
            // a writable node over a read-only child (qemu fails taking the write permission)
            if (c.writable() && !node.capabilities().write()) throw QmpException.generic("Block node is read-only");
            ExportEntry e = new ExportEntry(c.id(), type, c.nodeName(), o.json().deepCopy(), o.keyval(), session);
            e.export = start(list.get(0), e, o, c);
            exports.put(c.id(), e);
        } finally {
            lock.unlock();
        }
    }

    private boolean isIothread(String id) {
        ObjectRegistry r = objects;
        return r != null && r.find(id).map(o -> o.type().equals("iothread")).orElse(false);
    }

    /** Creates the export and takes the node; undoes both if the options turn out wrong. */
    private Export start(ExportDriver driver, ExportEntry e, Options o, Common c) throws Exception {
        NodeHandle node = graph.require(c.nodeName());
        io.jsd.block.NodeUse use = e.use != null ? null : node.use("export " + e.id, exportPermissions(c), Permission.ALL);
        Export x = null;
        try {
            // a second step as in qemu, where the export type narrows the BlockBackend's sharing after
            // blk_exp_add took the node: which conflict is reported first depends on it
            if (use != null && exportShared(e.type) != Permission.ALL) use.update(exportPermissions(c), exportShared(e.type));
            x = driver.create(new Context(e.id, node, o, c.writable(), c.writethrough(), c.iothread(), events, e.session));
            o.checkAllUsed();
        } catch (Exception | Error ex) {
            if (x != null) x.close(true);
            if (use != null) use.close();
            throw ex;
        }
        if (use != null) e.use = use;
        return x;
    }

    /** What an export's BlockBackend holds (qemu's blk_exp_add): consistent reads, and writes when writable. */
    private static int exportPermissions(Common c) {
        return Permission.CONSISTENT_READ | (c.writable() ? Permission.WRITE : 0);
    }

    /** What it shares: everything, except that an NBD export forbids resizing while it runs (qemu's nbd_export_create). */
    private static int exportShared(String type) {
        return type.equals("nbd") ? Permission.ALL & ~Permission.RESIZE : Permission.ALL;
    }

    // ---- block-export-del ----

    @Override
    public void delete(String id, boolean hard) throws Exception {
        if (!hard) awaitClosingClients(id);
        ExportEntry e;
        lock.lock();
        try {
            e = exports.get(id);
            if (e == null) throw QmpException.generic("Export '" + id + "' is not found");
            if (e.shuttingDown) throw QmpException.generic("Export '" + id + "' is already shutting down");
            Export x = e.export;
            if (!hard && x != null && x.inUse()) throw QmpException.generic("export '" + id + "' still in use");
            e.shuttingDown = true;
        } finally {
            lock.unlock();
        }
        // closing may wait for clients: not under the lock
        Export x = e.export;
        try {
            if (x != null) x.close(hard);
        } finally {
            lock.lock();
            try {
                exports.remove(id);
                if (e.use != null) e.use.close();
            } finally {
                lock.unlock();
            }
        }
        QmpEvents ev = events;
        if (ev != null) {
            ObjectNode data = JsonNodeFactory.instance.objectNode();
            data.put("id", id);
            ev.emit("BLOCK_EXPORT_DELETED", data);
        }
    }

    /**
     * A client that has just said goodbye (qemu-io exits right after NBD_CMD_DISC) may still be
     * counted for a moment while its connection winds down; QSD has already seen it go by the time
     * the next QMP command runs. Give such clients a short, bounded moment before safe mode decides.
     */
    private void awaitClosingClients(String id) throws InterruptedException {
        Export x;
        lock.lock();
        try {
            ExportEntry e = exports.get(id);
            x = e == null ? null : e.export;
        } finally {
            lock.unlock();
        }
        long deadline = System.nanoTime() + SAFE_DELETE_GRACE_NANOS;
        while (x != null && x.inUse() && System.nanoTime() < deadline) Thread.sleep(5);
    }

    private static final long SAFE_DELETE_GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    /** Closes every export (daemon shutdown, or core stopping). */
    @Deactivate
    public void closeAll() {
        for (String id : new ArrayList<>(exportIds())) {
            try {
                delete(id, true);
            } catch (Exception e) {
                // shutting down regardless
            }
        }
    }

    private List<String> exportIds() {
        lock.lock();
        try {
            return new ArrayList<>(exports.keySet());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<ObjectNode> describe() {
        lock.lock();
        try {
            List<ObjectNode> out = new ArrayList<>();
            for (ExportEntry e : exports.values()) {
                ObjectNode d = JsonNodeFactory.instance.objectNode();
                d.put("type", e.type);
                d.put("id", e.id);
                d.put("node-name", e.nodeName);
                d.put("shutting-down", e.shuttingDown);
                out.add(d);
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

}
