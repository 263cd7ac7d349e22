package io.jsd.nbd.internal;

import java.nio.ByteBuffer;

/**
 * One request of the transmission phase and, once executed, its reply: the buffers to send.
 * Requests are recycled per connection, so the steady state of the request path allocates nothing
 * but the virtual thread that runs it.
 */
final class Request implements Runnable {
    final Transmission owner;
    /** Room for the reply header(s) of simple, data and status replies. */
    final ByteBuffer head = ByteBuffer.allocateDirect(64);

    int flags;
    int type;
    long cookie;
    long offset;
    long length;
    /** Write payload or read data (from the pool); null when none. */
    ByteBuffer data;
    /** A second pooled buffer some replies need (block status, sparse read headers). */
    ByteBuffer extra;
    /** Budget units held while in flight. */
    int cost;
    /** Runs on the reader thread: its reply waits for the next flush instead of being written at once. */
    boolean inline;
    /** Handed to the reply sink, which recycles it. */
    boolean sent;

    /** The reply: buffers {@code out[0, outCount)}. */
    ByteBuffer[] out = new ByteBuffer[4];
    int outCount;

    Request(Transmission owner) { this.owner = owner; }

    @Override
    public void run() { owner.execute(this); }

    void add(ByteBuffer b) {
        if (outCount == out.length) {
            ByteBuffer[] n = new ByteBuffer[out.length * 2];
            System.arraycopy(out, 0, n, 0, outCount);
            out = n;
        }
        out[outCount++] = b;
    }

    /** Forgets the reply and gives pooled buffers back. */
    void reset() {
        BufferPool.SHARED.put(data);
        BufferPool.SHARED.put(extra);
        data = null;
        extra = null;
        for (int i = 0; i < outCount; i++) out[i] = null;
        outCount = 0;
        inline = false;
        sent = false;
        head.clear();
    }
}
