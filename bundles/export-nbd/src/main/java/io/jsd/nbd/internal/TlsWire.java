package io.jsd.nbd.internal;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

/**
 * TLS over the connection's socket with the JDK's SSLEngine (works for unix and TCP sockets alike).
 * Reading and writing may run concurrently in two threads, as SSLEngine allows for unwrap and wrap;
 * each direction is serialised by its own lock.
 */
final class TlsWire implements Wire {
    private final SocketChannel ch;
    private final SSLEngine engine;
    private final Object readLock = new Object();
    private final Object writeLock = new Object();
    private final ByteBuffer netIn;
    private final ByteBuffer appIn;
    private final ByteBuffer netOut;
    private boolean eof;

    TlsWire(SocketChannel ch, SSLEngine engine) {
        this.ch = ch;
        this.engine = engine;
        int packet = engine.getSession().getPacketBufferSize();
        int app = engine.getSession().getApplicationBufferSize();
        this.netIn = ByteBuffer.allocateDirect(packet * 2);
        this.netIn.flip();
        this.appIn = ByteBuffer.allocateDirect(app * 2);
        this.appIn.flip();
        this.netOut = ByteBuffer.allocateDirect(64 * 1024 + packet);
    }

    SSLEngine engine() { return engine; }

    @Override
    public boolean secure() { return true; }

    /** Runs the TLS handshake (the server side). */
    void handshake() throws IOException {
        synchronized (readLock) {
            synchronized (writeLock) {
                engine.beginHandshake();
                HandshakeStatus hs = engine.getHandshakeStatus();
                while (hs != HandshakeStatus.FINISHED && hs != HandshakeStatus.NOT_HANDSHAKING) {
                    switch (hs) {
                        case NEED_WRAP -> hs = wrapOnce(new ByteBuffer[] {ByteBuffer.allocate(0)}, 0, 1).getHandshakeStatus();
                        case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                            SSLEngineResult r = unwrapOnce();
                            if (r == null) throw new EOFException("connection closed during the TLS handshake");
                            hs = r.getHandshakeStatus();
                        }
                        case NEED_TASK -> {
                            Runnable t;
                            while ((t = engine.getDelegatedTask()) != null) t.run();
                            hs = engine.getHandshakeStatus();
                        }
                        default -> throw new SSLException("unexpected handshake status " + hs);
                    }
                }
            }
        }
    }

    /** One wrap into netOut and its transmission. */
    private SSLEngineResult wrapOnce(ByteBuffer[] srcs, int off, int len) throws IOException {
        netOut.clear();
        SSLEngineResult r = engine.wrap(srcs, off, len, netOut);
        netOut.flip();
        while (netOut.hasRemaining()) ch.write(netOut);
        return r;
    }

    /**
     * Unwraps one record into appIn, reading from the socket as needed. Returns null at end of
     * stream. Caller holds readLock.
     */
    private SSLEngineResult unwrapOnce() throws IOException {
        while (true) {
            appIn.compact();
            SSLEngineResult r;
            try {
                r = engine.unwrap(netIn, appIn);
            } finally {
                appIn.flip();
            }
            switch (r.getStatus()) {
                case OK, CLOSED -> {
                    if (r.getStatus() == SSLEngineResult.Status.CLOSED) eof = true;
                    return r;
                }
                case BUFFER_UNDERFLOW -> {
                    netIn.compact();
                    int n;
                    try {
                        n = ch.read(netIn);
                    } finally {
                        netIn.flip();
                    }
                    if (n < 0) {
                        eof = true;
                        return null;
                    }
                }
                case BUFFER_OVERFLOW -> {
                    if (appIn.hasRemaining()) return r; // let the caller drain first
                    throw new SSLException("TLS record larger than the application buffer");
                }
            }
        }
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        synchronized (readLock) {
            while (!appIn.hasRemaining()) {
                if (eof) return -1;
                SSLEngineResult r = unwrapOnce();
                if (r == null) return -1;
                HandshakeStatus hs = r.getHandshakeStatus();
                // Post-handshake messages (key update, tickets) may want an answer.
                while (hs == HandshakeStatus.NEED_TASK || hs == HandshakeStatus.NEED_WRAP) {
                    if (hs == HandshakeStatus.NEED_TASK) {
                        Runnable t;
                        while ((t = engine.getDelegatedTask()) != null) t.run();
                    } else {
                        synchronized (writeLock) {
                            wrapOnce(new ByteBuffer[] {ByteBuffer.allocate(0)}, 0, 1);
                        }
                    }
                    hs = engine.getHandshakeStatus();
                }
            }
            int n = Math.min(appIn.remaining(), dst.remaining());
            int lim = appIn.limit();
            appIn.limit(appIn.position() + n);
            dst.put(appIn);
            appIn.limit(lim);
            return n;
        }
    }

    @Override
    public void write(ByteBuffer[] srcs, int off, int len) throws IOException {
        synchronized (writeLock) {
            int end = off + len;
            int packet = engine.getSession().getPacketBufferSize();
            while (true) {
                while (off < end && !srcs[off].hasRemaining()) off++;
                if (off >= end) return;
                // Several records per socket write.
                netOut.clear();
                while (off < end && netOut.remaining() >= packet) {
                    SSLEngineResult r = engine.wrap(srcs, off, end - off, netOut);
                    if (r.getStatus() == SSLEngineResult.Status.CLOSED) throw new EOFException("TLS session closed");
                    while (off < end && !srcs[off].hasRemaining()) off++;
                }
                netOut.flip();
                while (netOut.hasRemaining()) ch.write(netOut);
            }
        }
    }

    @Override
    public void shutdown() { Wire.shutdown(ch); }

    @Override
    public void close() throws IOException {
        ch.close();
    }
}
