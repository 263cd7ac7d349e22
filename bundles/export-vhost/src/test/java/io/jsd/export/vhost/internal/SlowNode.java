package io.jsd.export.vhost.internal;

import java.nio.ByteBuffer;

import io.jsd.block.BlockException;
import io.jsd.block.BlockLimits;
import io.jsd.block.BlockNode;
import io.jsd.block.Capabilities;

/** Forwards to a node, holding every write for a while first (keeps requests in flight, like blkdebug's delays). */
final class SlowNode implements BlockNode {
    private final BlockNode next;
    private final long delayMs;

    SlowNode(BlockNode next, long delayMs) {
        this.next = next;
        this.delayMs = delayMs;
    }

    private void pause() throws BlockException {
        try {
            Thread.sleep(delayMs);
        } catch (InterruptedException e) {
            throw BlockException.io("interrupted", e);
        }
    }

    @Override public long size() throws BlockException { return next.size(); }
    @Override public void read(long offset, ByteBuffer dst) throws BlockException { next.read(offset, dst); }
    @Override public void read(long offset, ByteBuffer[] dsts) throws BlockException { next.read(offset, dsts); }

    @Override
    public void write(long offset, ByteBuffer src, int flags) throws BlockException {
        pause();
        next.write(offset, src, flags);
    }

    @Override
    public void write(long offset, ByteBuffer[] srcs, int flags) throws BlockException {
        pause();
        next.write(offset, srcs, flags);
    }

    @Override public void writeZeroes(long offset, long length, int flags) throws BlockException { next.writeZeroes(offset, length, flags); }
    @Override public void discard(long offset, long length) throws BlockException { next.discard(offset, length); }
    @Override public void flush() throws BlockException { next.flush(); }
    @Override public Capabilities capabilities() { return next.capabilities(); }
    @Override public BlockLimits limits() { return next.limits(); }
}
