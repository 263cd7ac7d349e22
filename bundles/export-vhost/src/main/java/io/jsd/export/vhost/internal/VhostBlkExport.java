package io.jsd.export.vhost.internal;

import java.io.IOException;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocket;

import io.jsd.export.Export;

/**
 * A listening vhost-user-blk export: serves one front-end at a time (others wait in the listen
 * backlog, as with QSD) and accepts the next one when it leaves. Each connection gets a fresh
 * device, so config-space state such as the write-cache flag starts over.
 */
final class VhostBlkExport implements Export {
    private static final Logger LOG = Logger.getLogger(VhostBlkExport.class.getName());

    private final String id;
    private final AFUNIXServerSocket server;
    private final Path socketPath;
    private final Supplier<VhostUserBackend> devices;
    private final Thread acceptor;
    private volatile VhostUserConnection current;
    private volatile boolean closed;

    VhostBlkExport(String id, AFUNIXServerSocket server, Path socketPath, Supplier<VhostUserBackend> devices) {
        this.id = id;
        this.server = server;
        this.socketPath = socketPath;
        this.devices = devices;
        // A platform thread: the connection it serves blocks in poll(2) (see MessageSocket).
        this.acceptor = Thread.ofPlatform().daemon().name("vhost-user-blk-" + id).unstarted(this::serve);
    }

    void start() { acceptor.start(); }

    private void serve() {
        while (!closed) {
            AFUNIXSocket s;
            try {
                s = server.accept();
            } catch (SocketException e) {
                if (!closed) LOG.warning("export " + id + ": accept failed: " + e.getMessage());
                return;
            } catch (IOException e) {
                if (closed) return;
                LOG.log(Level.WARNING, "export " + id + ": accept failed", e);
                continue;
            }
            VhostUserConnection c = new VhostUserConnection(s, devices.get(), "vhost-user-blk " + id);
            current = c;
            if (closed) c.disconnect();
            try {
                c.run();
            } finally {
                current = null;
            }
        }
    }

    String describe() {
        VhostUserConnection c = current;
        return c == null ? "no front-end" : c.describe();
    }

    /** Rings of the current front-end that are started and enabled (0 without one). */
    int runningRings() {
        VhostUserConnection c = current;
        return c == null ? 0 : c.runningRings();
    }

    @Override
    public boolean inUse() { return current != null; }

    /** Stops listening and drops the front-end (after its in-flight requests complete). */
    @Override
    public void close(boolean force) {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            LOG.fine("export " + id + ": closing the listener: " + e.getMessage());
        }
        VhostUserConnection c = current;
        if (c != null) c.disconnect();
        boolean interrupted = false;
        while (acceptor.isAlive()) {
            try {
                acceptor.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
        if (socketPath != null) {
            try {
                Files.deleteIfExists(socketPath);
            } catch (IOException e) {
                LOG.fine("export " + id + ": could not remove " + socketPath);
            }
        }
    }
}
