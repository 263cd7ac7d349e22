package io.jsd.qcow2.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import io.jsd.block.BlockException;
import io.jsd.block.BlockNode;
import io.jsd.block.Capabilities;

/**
 * A disk with a volatile write cache, for power-loss tests. Every change goes to {@code current}
 * (what reads see) and into a list of changes not yet flushed; a completed {@link #flush} writes
 * them to the durable copy. {@link #powerCut} makes the image a power cut at this moment could
 * leave: the durable copy plus any subset of the unflushed changes, as a disk cache may have
 * written them before the power went — none, all, a prefix, whole writes in any order, or torn
 * writes (each 512-byte sector on its own).
 */
final class VolatileCacheNode implements BlockNode {
    static final int SECTOR = 512;

    enum Cut { DROP_ALL, KEEP_ALL, PREFIX, SHUFFLED_WRITES, TORN_SECTORS }

    /** One unflushed change: data (null: zeroes) at offset, or a new file size when truncate >= 0. */
    private record Change(long offset, byte[] data, long length, long truncate) {}

    private final BlockNode current;
    private final Path durable;
    private final List<Change> pending = new ArrayList<>();
    private int flushes;
    /** Called before each change and flush reaches the cache: a test cuts the power there. */
    volatile Hook beforeEachOperation;

    interface Hook {
        void run(String operation) throws Exception;
    }

    private void before(String op) throws BlockException {
        Hook h = beforeEachOperation;
        if (h == null) return;
        try {
            h.run(op);
        } catch (BlockException | RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    VolatileCacheNode(BlockNode current, Path currentFile, Path durable) throws IOException {
        this.current = current;
        this.durable = durable;
        Files.copy(currentFile, durable, StandardCopyOption.REPLACE_EXISTING);
    }

    synchronized int flushes() { return flushes; }

    synchronized int pendingChanges() { return pending.size(); }

    @Override public long size() throws BlockException { return current.size(); }

    @Override public void read(long offset, ByteBuffer dst) throws BlockException { current.read(offset, dst); }

    @Override
    public synchronized void write(long offset, ByteBuffer src, int flags) throws BlockException {
        before("write " + offset + "+" + src.remaining());
        byte[] copy = new byte[src.remaining()];
        src.duplicate().get(copy);
        current.write(offset, src, 0);
        pending.add(new Change(offset, copy, copy.length, -1));
        if ((flags & io.jsd.block.IoFlags.FUA) != 0) flush();
    }

    @Override
    public synchronized void writeZeroes(long offset, long length, int flags) throws BlockException {
        before("write-zeroes " + offset + "+" + length);
        current.write(offset, ByteBuffer.allocate((int) length), 0);
        pending.add(new Change(offset, null, length, -1));
    }

    /** A discarded range may read as zeroes or as before after a power cut. */
    @Override
    public synchronized void discard(long offset, long length) throws BlockException {
        before("discard " + offset + "+" + length);
        pending.add(new Change(offset, null, length, -1));
    }

    @Override
    public synchronized void truncate(long newSize) throws BlockException {
        before("truncate " + newSize);
        current.truncate(newSize);
        pending.add(new Change(0, null, 0, newSize));
    }

    @Override
    public synchronized void flush() throws BlockException {
        before("flush");
        try (FileChannel ch = FileChannel.open(durable, StandardOpenOption.WRITE)) {
            for (Change c : pending) apply(ch, c, 0, c.length);
        } catch (IOException e) {
            throw BlockException.io(e.getMessage(), e);
        }
        pending.clear();
        flushes++;
    }

    /** Writes to {@code out} what a power cut now could leave on the disk. */
    synchronized void powerCut(Path out, Cut cut, Random r) throws IOException {
        Files.copy(durable, out, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel ch = FileChannel.open(out, StandardOpenOption.WRITE)) {
            switch (cut) {
                case DROP_ALL -> { }
                case KEEP_ALL -> { for (Change c : pending) apply(ch, c, 0, c.length); }
                case PREFIX -> {
                    int n = r.nextInt(pending.size() + 1);
                    for (Change c : pending.subList(0, n)) apply(ch, c, 0, c.length);
                }
                case SHUFFLED_WRITES -> {
                    List<Change> some = new ArrayList<>();
                    for (Change c : pending) if (r.nextBoolean()) some.add(c);
                    Collections.shuffle(some, r);
                    for (Change c : some) apply(ch, c, 0, c.length);
                }
                case TORN_SECTORS -> {
                    // in order, each sector of each change kept or lost on its own: every sector
                    // ends with its durable content or any one of the values written to it since
                    for (Change c : pending) {
                        if (c.truncate >= 0) {
                            if (r.nextBoolean()) apply(ch, c, 0, 0);
                            continue;
                        }
                        long first = c.offset / SECTOR * SECTOR;
                        for (long s = first; s < c.offset + c.length; s += SECTOR) {
                            if (!r.nextBoolean()) continue;
                            long from = Math.max(s, c.offset) - c.offset;
                            long to = Math.min(s + SECTOR, c.offset + c.length) - c.offset;
                            apply(ch, c, from, to);
                        }
                    }
                }
            }
        }
    }

    private static void apply(FileChannel ch, Change c, long from, long to) throws IOException {
        if (c.truncate >= 0) {
            if (c.truncate < ch.size()) ch.truncate(c.truncate);
            else if (c.truncate > ch.size()) ch.write(ByteBuffer.allocate(1), c.truncate - 1);
            return;
        }
        ByteBuffer b = c.data != null ? ByteBuffer.wrap(c.data, (int) from, (int) (to - from)) : ByteBuffer.allocate((int) (to - from));
        long pos = c.offset + from;
        while (b.hasRemaining()) pos += ch.write(b, pos);
    }

    @Override public Capabilities capabilities() { return current.capabilities(); }

    @Override public void close() throws BlockException { current.close(); }
}
