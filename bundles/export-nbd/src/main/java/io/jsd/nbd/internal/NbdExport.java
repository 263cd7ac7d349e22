package io.jsd.nbd.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.jsd.block.BlockException;
import io.jsd.block.BlockNode;
import io.jsd.block.Capabilities;
import io.jsd.block.NodeHandle;
import io.jsd.export.Export;

/** One NBD export: a node served under a name by the running {@link NbdServer}. */
final class NbdExport implements Export {
    final String id;
    final String name;
    final String description;
    final NodeHandle node;
    final BlockNode io;
    final boolean writable;
    final boolean writethrough;
    final boolean allocationDepth;
    /** Transmission flags before per-connection additions (DF comes with structured replies). */
    final int flags;
    final boolean sparseReads;

    private final NbdServer server;
    private final Set<Connection> clients = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    NbdExport(NbdServer server, String id, String name, String description, NodeHandle node, boolean writable,
              boolean writethrough, boolean allocationDepth) {
        this.server = server;
        this.id = id;
        this.name = name;
        this.description = description;
        this.node = node;
        this.io = node.io();
        this.writable = writable;
        this.writethrough = writethrough;
        this.allocationDepth = allocationDepth;
        Capabilities caps = node.capabilities();
        this.flags = flagsFor(caps, writable, server.config().maxConnections());
        this.sparseReads = caps.blockStatus();
    }

    /** What QSD advertises, narrowed to what the node can really do. */
    static int flagsFor(Capabilities caps, boolean writable, int maxConnections) {
        int f = Nbd.FLAG_HAS_FLAGS | Nbd.FLAG_SEND_FLUSH | Nbd.FLAG_SEND_CACHE;
        if (caps.fua().available() || caps.flush()) f |= Nbd.FLAG_SEND_FUA;
        if (!writable) {
            f |= Nbd.FLAG_READ_ONLY;
        } else {
            f |= Nbd.FLAG_SEND_TRIM;
            if (caps.writeZeroes().available()) f |= Nbd.FLAG_SEND_WRITE_ZEROES | Nbd.FLAG_SEND_FAST_ZERO;
        }
        if (maxConnections != 1 && caps.multiConn()) f |= Nbd.FLAG_CAN_MULTI_CONN;
        return f;
    }

    long size() throws BlockException { return io.size(); }

    boolean closed() { return closed; }

    boolean attach(Connection c) {
        clients.add(c);
        if (closed) {
            clients.remove(c);
            return false;
        }
        return true;
    }

    void detach(Connection c) { clients.remove(c); }

    @Override
    public boolean inUse() { return !clients.isEmpty(); }

    @Override
    public void close(boolean force) {
        closed = true;
        server.removeExport(this);
        if (force) {
            for (Connection c : clients) c.abort();
        }
        // Safe mode: the clients finish on their own; wait (bounded) so the node is idle afterwards.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(force ? 10 : 60);
        while (!clients.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
