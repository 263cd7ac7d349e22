package io.jsd.export.vhost.internal;

import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.jsd.block.BlockException;
import io.jsd.block.BlockLimits;
import io.jsd.block.BlockNode;
import io.jsd.block.Capabilities;

/**
 * Forwards to a node, as core's wrapper would for the tests that run the export without the graph
 * (write-zeroes falls back to writing zeroes), and keeps requests in flight on demand, like
 * blkdebug: every write is held {@code delayMs}, and while {@link #gate} is set every read and
 * write waits for it. Counts flushes.
 */
final class SlowNode implements BlockNode {
    private final BlockNode next;
    private final long delayMs;
    /** When set, reads and writes wait for it (bounded) to keep them in flight. */
    volatile CountDownLatch gate;
    volatile int flushes;
    /** Requests waiting at the gate now. */
    final java.util.concurrent.atomic.AtomicInteger waiting = new java.util.concurrent.atomic.AtomicInteger();

    SlowNode(BlockNode next, long delayMs) {
        this.next = next;
        this.delayMs = delayMs;
    }

    private void pause(boolean write) throws BlockException {
        try {
            if (write && delayMs > 0) Thread.sleep(delayMs);
            CountDownLatch g = gate;
            if (g != null) {
                waiting.incrementAndGet();
                try {
                    if (!g.await(10, TimeUnit.SECONDS)) throw BlockException.io("gate timeout", null);
                } finally {
                    waiting.decrementAndGet();
                }
            }
        } catch (InterruptedException e) {
            throw BlockException.io("interrupted", e);
        }
    }

    @Override public long size() throws BlockException { return next.size(); }

    @Override
    public void read(long offset, ByteBuffer dst) throws BlockException {
        pause(false);
        next.read(offset, dst);
    }

    @Override
    public void read(long offset, ByteBuffer[] dsts) throws BlockException {
        pause(false);
        next.read(offset, dsts);
    }

    @Override
    public void write(long offset, ByteBuffer src, int flags) throws BlockException {
        pause(true);
        next.write(offset, src, flags);
    }

    @Override
    public void write(long offset, ByteBuffer[] srcs, int flags) throws BlockException {
        pause(true);
        next.write(offset, srcs, flags);
    }

    @Override
    public void writeZeroes(long offset, long length, int flags) throws BlockException {
        pause(true);
        try {
            next.writeZeroes(offset, length, flags);
        } catch (BlockException e) {
            if (e.kind() != BlockException.Kind.UNSUPPORTED) throw e;
            next.write(offset, ByteBuffer.allocate(Math.toIntExact(length)), flags);
        }
    }

    @Override
    public void discard(long offset, long length) throws BlockException {
        pause(true);
        next.discard(offset, length);
    }

    @Override
    public void flush() throws BlockException {
        flushes++;
        next.flush();
    }

    @Override public Capabilities capabilities() { return next.capabilities(); }
    @Override public BlockLimits limits() { return next.limits(); }
}
