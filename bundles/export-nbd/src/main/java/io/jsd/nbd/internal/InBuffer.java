package io.jsd.nbd.internal;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Buffered reading from a {@link Wire}: one socket read usually brings several request headers,
 * so the reader decodes them without a system call each. Only the connection's reader thread uses it.
 */
final class InBuffer {
    private ByteBuffer buf;
    private Wire wire;

    InBuffer(Wire wire, int capacity) {
        this.wire = wire;
        this.buf = ByteBuffer.allocateDirect(capacity);
        buf.flip();
    }

    /**
     * Moves to a larger buffer, keeping what is buffered: the handshake reads through a small one
     * (idle and half-open connections then hold little), the transmission phase batches headers
     * and small writes in a larger one. Without memory for it, the small one stays (slower, not broken).
     */
    void grow(int capacity) {
        if (capacity <= buf.capacity()) return;
        ByteBuffer b;
        try {
            b = ByteBuffer.allocateDirect(capacity);
        } catch (OutOfMemoryError e) {
            return; // direct memory is short (thousands of connections): go on with the small buffer
        }
        b.put(buf);
        b.flip();
        buf = b;
    }

    /** Switches to another wire (after STARTTLS); nothing may be buffered then. */
    void wire(Wire w) { this.wire = w; }

    Wire wire() { return wire; }

    int buffered() { return buf.remaining(); }

    ByteBuffer buffer() { return buf; }

    /**
     * Makes {@code n} bytes available. Returns false on a clean end of stream before the first byte;
     * throws EOFException when the stream ends in the middle.
     */
    boolean fill(int n) throws IOException {
        if (buf.remaining() >= n) return true;
        if (n > buf.capacity()) throw new IllegalArgumentException("fill " + n);
        buf.compact();
        try {
            while (buf.position() < n) {
                int r = wire.read(buf);
                if (r < 0) {
                    if (buf.position() == 0) return false;
                    throw new EOFException("Unexpected end-of-file before all bytes were read");
                }
            }
        } finally {
            buf.flip();
        }
        return true;
    }

    void need(int n) throws IOException {
        if (!fill(n)) throw new EOFException("Unexpected end-of-file");
    }

    int u16() throws IOException { need(2); return buf.getShort() & 0xffff; }
    int u32() throws IOException { need(4); return buf.getInt(); }
    long u64() throws IOException { need(8); return buf.getLong(); }

    byte[] bytes(int n) throws IOException {
        byte[] b = new byte[n];
        int done = 0;
        while (done < n) {
            if (!buf.hasRemaining()) need(Math.min(n - done, buf.capacity()));
            int k = Math.min(buf.remaining(), n - done);
            buf.get(b, done, k);
            done += k;
        }
        return b;
    }

    /** Fills {@code dst} completely: first from what is buffered, then straight from the wire. */
    void readFully(ByteBuffer dst) throws IOException {
        if (buf.hasRemaining()) {
            int k = Math.min(buf.remaining(), dst.remaining());
            int lim = buf.limit();
            buf.limit(buf.position() + k);
            dst.put(buf);
            buf.limit(lim);
        }
        while (dst.hasRemaining()) {
            if (wire.read(dst) < 0) throw new EOFException("Unexpected end-of-file before all bytes were read");
        }
    }

    void skip(long n) throws IOException {
        while (n > 0) {
            if (!buf.hasRemaining()) need((int) Math.min(n, buf.capacity()));
            int k = (int) Math.min(buf.remaining(), n);
            buf.position(buf.position() + k);
            n -= k;
        }
    }
}
