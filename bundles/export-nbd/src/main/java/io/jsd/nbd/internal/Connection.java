package io.jsd.nbd.internal;

import java.io.EOFException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One client: option haggling, then the transmission phase, on this connection's virtual thread.
 * Whatever goes wrong ends only this connection.
 */
final class Connection implements Runnable {
    private final NbdServer server;
    private final SocketChannel socket;
    private volatile Wire wire;
    private volatile boolean aborted;
    private volatile boolean handshakeTimedOut;

    Connection(NbdServer server, SocketChannel socket) {
        this.server = server;
        this.socket = socket;
        this.wire = new PlainWire(socket);
    }

    NbdServer server() { return server; }

    /** The export this client chose, counted as in use from the moment the handshake accepts it. */
    private volatile NbdExport attached;

    boolean attach(NbdExport e) {
        if (!e.attach(this)) return false;
        attached = e;
        return true;
    }

    SocketChannel socket() { return socket; }

    void wire(Wire w) { this.wire = w; }

    /** Hard disconnect from another thread (block-export-del mode=hard, nbd-server-stop, handshake timeout). */
    void abort() {
        aborted = true;
        wire.shutdown();
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing more to release
        }
    }

    /** The peer hung up (not worth a warning: clients may drop after an error reply or at any time). */
    private static boolean clientGone(Exception e) {
        String m = String.valueOf(e.getMessage());
        return m.contains("Broken pipe") || m.contains("Connection reset");
    }

    @Override
    public void run() {
        ScheduledFuture<?> timeout = null;
        try {
            int limit = server.config().handshakeMaxSeconds();
            if (limit > 0) {
                timeout = server.timer().schedule(() -> {
                    handshakeTimedOut = true;
                    abort();
                }, limit, TimeUnit.SECONDS);
            }
            Handshake hs = new Handshake(this, wire);
            Session session = hs.run();
            if (timeout != null) timeout.cancel(false);
            if (session == null || aborted) return;
            InBuffer in = hs.input();
            in.grow(64 * 1024);
            new Transmission(this, session, in).run();
        } catch (EOFException | ClosedChannelException e) {
            if (handshakeTimedOut) {
                NbdServer.LOG.log(Level.WARNING, "nbd: client did not finish the handshake in time, disconnected");
            } else if (!aborted) {
                NbdServer.LOG.log(Level.DEBUG, "nbd: client disconnected: " + e.getMessage());
            }
        } catch (IOException | RuntimeException e) {
            if (handshakeTimedOut) {
                NbdServer.LOG.log(Level.WARNING, "nbd: client did not finish the handshake in time, disconnected");
            } else if (clientGone(e)) {
                NbdServer.LOG.log(Level.DEBUG, "nbd: client went away: " + e.getMessage());
            } else if (!aborted) {
                NbdServer.LOG.log(Level.WARNING, "nbd: Disconnect client, due to: " + e.getMessage());
            }
        } catch (OutOfMemoryError e) {
            // only this connection ends; requests that fail to get a buffer are answered ENOMEM instead
            NbdServer.LOG.log(Level.WARNING, "nbd: Disconnect client, due to: out of memory (" + e.getMessage() + ")");
        } finally {
            if (timeout != null) timeout.cancel(false);
            NbdExport export = attached;
            if (export != null) export.detach(this);
            try {
                wire.close();
            } catch (IOException ignored) {
                // closing after an error
            }
            try {
                socket.close();
            } catch (IOException ignored) {
                // same
            }
            server.connectionClosed(this);
        }
    }
}
