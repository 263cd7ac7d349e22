package io.jsd.nbd.internal;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

import io.jsd.block.BlockException;
import io.jsd.block.BlockNode;
import io.jsd.block.BlockStatus;
import io.jsd.block.Capabilities;
import io.jsd.block.ChildRole;
import io.jsd.block.IoFlags;
import io.jsd.block.NodeChild;
import io.jsd.block.Support;

/**
 * A sparse in-memory node for tests: 64 KiB clusters allocated on write, holes read as zeroes (or
 * from the backing node, like a qcow2 overlay), so allocation and depth are known exactly.
 */
final class MemNode implements BlockNode {
    static final int CLUSTER = 64 * 1024;
    private final long size;
    private final AtomicReferenceArray<byte[]> clusters;
    private final MemNode backing;

    MemNode(long size, MemNode backing) {
        this.size = size;
        this.clusters = new AtomicReferenceArray<>((int) ((size + CLUSTER - 1) / CLUSTER));
        this.backing = backing;
    }

    MemNode(long size) { this(size, null); }

    @Override
    public long size() { return size; }

    private byte[] cluster(int i, boolean create) {
        byte[] c = clusters.get(i);
        if (c == null && create) {
            byte[] n = new byte[CLUSTER];
            if (backing != null) {
                long off = (long) i * CLUSTER;
                int len = (int) Math.min(CLUSTER, backing.size() - off);
                if (len > 0) {
                    try {
                        backing.read(off, ByteBuffer.wrap(n, 0, len));
                    } catch (BlockException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
            if (!clusters.compareAndSet(i, null, n)) c = clusters.get(i);
            else c = n;
        }
        return c;
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws BlockException {
        while (dst.hasRemaining()) {
            int i = (int) (offset / CLUSTER);
            int in = (int) (offset % CLUSTER);
            int n = Math.min(dst.remaining(), CLUSTER - in);
            byte[] c = cluster(i, false);
            if (c != null) {
                synchronized (c) {
                    dst.put(c, in, n);
                }
            } else if (backing != null && offset < backing.size()) {
                int k = (int) Math.min(n, backing.size() - offset);
                ByteBuffer d = dst.slice(dst.position(), k);
                backing.read(offset, d);
                dst.position(dst.position() + k);
                for (int j = k; j < n; j++) dst.put((byte) 0);
            } else {
                for (int j = 0; j < n; j++) dst.put((byte) 0);
            }
            offset += n;
        }
    }

    @Override
    public void write(long offset, ByteBuffer src, int flags) {
        while (src.hasRemaining()) {
            int i = (int) (offset / CLUSTER);
            int in = (int) (offset % CLUSTER);
            int n = Math.min(src.remaining(), CLUSTER - in);
            byte[] c = cluster(i, true);
            synchronized (c) {
                src.get(c, in, n);
            }
            offset += n;
        }
    }

    @Override
    public void writeZeroes(long offset, long length, int flags) {
        long end = offset + length;
        while (offset < end) {
            int i = (int) (offset / CLUSTER);
            int in = (int) (offset % CLUSTER);
            int n = (int) Math.min(end - offset, CLUSTER - in);
            if (in == 0 && n == CLUSTER && IoFlags.has(flags, IoFlags.MAY_UNMAP) && backing == null) {
                clusters.set(i, null);
            } else {
                byte[] c = cluster(i, true);
                synchronized (c) {
                    java.util.Arrays.fill(c, in, in + n, (byte) 0);
                }
            }
            offset += n;
        }
    }

    @Override
    public void discard(long offset, long length) {
        if (backing != null) return;
        long end = offset + length;
        for (long o = (offset + CLUSTER - 1) / CLUSTER * CLUSTER; o + CLUSTER <= end; o += CLUSTER) {
            clusters.set((int) (o / CLUSTER), null);
        }
    }

    boolean allocated(long offset) { return clusters.get((int) (offset / CLUSTER)) != null; }

    @Override
    public BlockStatus blockStatus(long offset, long length) {
        boolean alloc = allocated(offset);
        long end = Math.min(offset + length, size);
        long pos = (offset / CLUSTER + 1) * CLUSTER;
        while (pos < end && allocated(pos) == alloc) pos += CLUSTER;
        long len = Math.min(pos, end) - offset;
        if (alloc) return new BlockStatus(offset, len, BlockStatus.DATA | BlockStatus.ALLOCATED);
        if (backing != null) return new BlockStatus(offset, len, BlockStatus.DATA);
        return new BlockStatus(offset, len, BlockStatus.ZERO);
    }

    @Override
    public Capabilities capabilities() {
        return new Capabilities(true, Support.NATIVE, Support.NONE, true, true, true, false, true);
    }

    @Override
    public List<NodeChild> children() {
        return backing == null ? List.of() : List.of(new NodeChild("backing", ChildRole.COW, backing));
    }
}
