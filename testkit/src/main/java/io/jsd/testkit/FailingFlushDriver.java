package io.jsd.testkit;

import io.jsd.block.BlockDriver;
import io.jsd.block.BlockException;
import io.jsd.block.BlockLimits;
import io.jsd.block.BlockNode;
import io.jsd.block.BlockStatus;
import io.jsd.block.Capabilities;
import io.jsd.block.ChildRole;
import io.jsd.block.NodeChild;
import io.jsd.block.OpenContext;
import io.jsd.block.Support;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A test-only filter driver: passes every request to its "file" child, except that while
 * {@link #failing} is set every flush fails with EIO (as a disk whose cache write-back failed).
 * It has no native FUA, so core turns a FUA write into write + flush, which then fails too.
 */
public final class FailingFlushDriver implements BlockDriver {
    public final AtomicBoolean failing = new AtomicBoolean();

    @Override
    public BlockNode open(OpenContext ctx) throws BlockException {
        return new Node(ctx.openChild("file", ChildRole.PRIMARY, true));
    }

    private final class Node implements BlockNode {
        private final BlockNode file;

        Node(BlockNode file) { this.file = file; }

        @Override public long size() throws BlockException { return file.size(); }
        @Override public void read(long offset, ByteBuffer dst) throws BlockException { file.read(offset, dst); }
        @Override public void write(long offset, ByteBuffer src, int flags) throws BlockException { file.write(offset, src, flags); }
        @Override public void writeZeroes(long offset, long length, int flags) throws BlockException { file.writeZeroes(offset, length, flags); }
        @Override public void discard(long offset, long length) throws BlockException { file.discard(offset, length); }
        @Override public void truncate(long newSize) throws BlockException { file.truncate(newSize); }
        @Override public BlockStatus blockStatus(long offset, long length) throws BlockException { return file.blockStatus(offset, length); }
        @Override public BlockLimits limits() { return file.limits(); }
        @Override public List<NodeChild> children() { return List.of(new NodeChild("file", ChildRole.PRIMARY, file)); }

        @Override
        public void flush() throws BlockException {
            if (failing.get()) throw BlockException.io("flush failed: Input/output error (injected)", null);
            file.flush();
        }

        @Override
        public Capabilities capabilities() {
            Capabilities c = file.capabilities();
            return new Capabilities(c.write(), c.writeZeroes().available() ? Support.NATIVE : Support.NONE, Support.NONE,
                    c.discard(), true, c.blockStatus(), c.truncate(), c.multiConn());
        }
    }
}
