package io.jsd.nbd.internal;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;

/**
 * A running NBD server: one listening socket, the exports it serves by name and its connections.
 * Each connection runs on its own virtual thread.
 */
final class NbdServer {
    static final System.Logger LOG = System.getLogger("io.jsd.nbd");

    private final ServerConfig config;
    private final ServerSocketChannel listener;
    private final ConcurrentHashMap<String, NbdExport> exports = new ConcurrentHashMap<>();
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final Semaphore slots;
    private final ScheduledExecutorService timer;
    private final Thread acceptor;
    private volatile boolean stopping;

    private NbdServer(ServerConfig config, ServerSocketChannel listener) {
        this.config = config;
        this.listener = listener;
        this.slots = config.maxConnections() > 0 ? new Semaphore(config.maxConnections()) : null;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "nbd-handshake-timer");
            t.setDaemon(true);
            return t;
        });
        this.acceptor = Thread.ofVirtual().name("nbd-accept").unstarted(this::acceptLoop);
    }

    /** Binds the listening socket and starts accepting. */
    static NbdServer start(ServerConfig config) throws IOException {
        ServerSocketChannel ch;
        if (config.fd() >= 0) {
            NbdServer s = new NbdServer(config, FdListener.open(config.fd()));
            s.acceptor.start();
            return s;
        }
        if (config.address() instanceof UnixDomainSocketAddress) {
            // Like qemu: a stale socket file from an earlier run is replaced.
            Files.deleteIfExists(config.unixPath());
            ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        } else {
            ch = ServerSocketChannel.open();
            ch.setOption(java.net.StandardSocketOptions.SO_REUSEADDR, true);
        }
        try {
            ch.bind(config.address(), 128);
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        NbdServer s = new NbdServer(config, ch);
        s.acceptor.start();
        return s;
    }

    ServerConfig config() { return config; }

    ScheduledExecutorService timer() { return timer; }

    /** The bound address (the real port when port 0 was asked for). */
    java.net.SocketAddress localAddress() throws IOException { return listener.getLocalAddress(); }

    private void acceptLoop() {
        while (!stopping) {
            try {
                if (slots != null) slots.acquire();
                SocketChannel sc;
                try {
                    sc = listener.accept();
                } catch (IOException e) {
                    if (slots != null) slots.release();
                    throw e;
                }
                Connection c = new Connection(this, sc);
                connections.add(c);
                if (stopping) {
                    c.abort();
                }
                Thread.ofVirtual().name("nbd-conn").start(c);
            } catch (ClosedChannelException e) {
                return;
            } catch (InterruptedException e) {
                return;
            } catch (IOException e) {
                if (stopping) return;
                LOG.log(Level.WARNING, "nbd: accept failed: " + e.getMessage());
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    /** Called by a connection when it is over. */
    void connectionClosed(Connection c) {
        if (connections.remove(c) && slots != null) slots.release();
    }

    /** Connections accepted and not yet ended (for tests and diagnostics). */
    int connectionCount() { return connections.size(); }

    NbdExport export(String name) { return exports.get(name); }

    List<NbdExport> exports() { return new ArrayList<>(exports.values()); }

    boolean stopping() { return stopping; }

    /** Adds an export; false if the name is taken. */
    boolean addExport(NbdExport e) { return exports.putIfAbsent(e.name, e) == null; }

    void removeExport(NbdExport e) { exports.remove(e.name, e); }

    /** Stops listening and drops every connection. Exports are closed by whoever owns them. */
    void stop() {
        stopping = true;
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing a listener cannot fail in a way that matters here
        }
        acceptor.interrupt();
        for (Connection c : connections) c.abort();
        timer.shutdownNow();
        if (config.unixPath() != null) {
            try {
                Files.deleteIfExists(config.unixPath());
            } catch (IOException ignored) {
                // the socket file may already be gone
            }
        }
    }
}
