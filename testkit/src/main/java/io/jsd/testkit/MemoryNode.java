package io.jsd.testkit;

import io.jsd.block.BlockException;
import io.jsd.block.BlockLimits;
import io.jsd.block.BlockNode;
import io.jsd.block.BlockStatus;
import io.jsd.block.Capabilities;
import io.jsd.block.IoFlags;
import io.jsd.block.Support;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The reference node: bytes in memory, with a per-4k allocation map so block status and discard
 * behave like a sparse file. Every driver is held to what this one does.
 */
public final class MemoryNode implements BlockNode {
    private static final int BLOCK = 4096;
    private byte[] data;
    private boolean[] allocated;
    private final BlockLimits limits;

    public MemoryNode(long size) { this(size, BlockLimits.DEFAULT); }

    /** A node that insists on {@code limits}: a request core should have aligned or split fails loudly. */
    public MemoryNode(long size, BlockLimits limits) {
        data = new byte[Math.toIntExact(size)];
        allocated = new boolean[blocks(size)];
        this.limits = limits;
    }

    private void check(long off, long len, long max) {
        int a = limits.requestAlignment();
        boolean tail = off + len == data.length;
        if (off % a != 0 || (len % a != 0 && !tail) || len > max) {
            throw new IllegalStateException("core passed a bad request: offset " + off + " length " + len);
        }
    }

    @Override public BlockLimits limits() { return limits; }

    private static int blocks(long size) { return (int) ((size + BLOCK - 1) / BLOCK); }

    private void mark(long off, long len, boolean value) {
        for (long b = off / BLOCK; b * BLOCK < off + len; b++) {
            // a partially covered block stays allocated when freeing
            boolean whole = b * BLOCK >= off && (b + 1) * BLOCK <= off + len;
            if (value || whole) allocated[(int) b] = value;
        }
    }

    @Override public synchronized long size() { return data.length; }

    @Override
    public synchronized void read(long offset, ByteBuffer dst) {
        check(offset, dst.remaining(), limits.maxTransfer());
        dst.put(data, (int) offset, dst.remaining());
    }

    @Override
    public synchronized void write(long offset, ByteBuffer src, int flags) {
        int n = src.remaining();
        check(offset, n, limits.maxTransfer());
        src.get(data, (int) offset, n);
        mark(offset, n, true);
    }

    @Override
    public synchronized void writeZeroes(long offset, long length, int flags) {
        check(offset, length, limits.maxWriteZeroes());
        Arrays.fill(data, (int) offset, (int) (offset + length), (byte) 0);
        mark(offset, length, true);
        if (IoFlags.has(flags, IoFlags.MAY_UNMAP)) mark(offset, length, false);
    }

    @Override
    public synchronized void discard(long offset, long length) {
        check(offset, length, limits.maxDiscard());
        for (long b = (offset + BLOCK - 1) / BLOCK; (b + 1) * BLOCK <= offset + length; b++) {
            Arrays.fill(data, (int) (b * BLOCK), (int) ((b + 1) * BLOCK), (byte) 0);
            allocated[(int) b] = false;
        }
    }

    @Override
    public synchronized void truncate(long newSize) {
        data = Arrays.copyOf(data, Math.toIntExact(newSize));
        allocated = Arrays.copyOf(allocated, blocks(newSize));
    }

    @Override
    public synchronized BlockStatus blockStatus(long offset, long length) throws BlockException {
        int b = (int) (offset / BLOCK);
        boolean a = allocated[b];
        long end = offset;
        while (end < offset + length && allocated[(int) (end / BLOCK)] == a) end = Math.min((end / BLOCK + 1) * BLOCK, offset + length);
        return new BlockStatus(offset, end - offset, a ? BlockStatus.DATA | BlockStatus.ALLOCATED : BlockStatus.ZERO);
    }

    @Override
    public Capabilities capabilities() {
        return new Capabilities(true, Support.NATIVE, Support.NONE, true, true, true, true, true);
    }
}
