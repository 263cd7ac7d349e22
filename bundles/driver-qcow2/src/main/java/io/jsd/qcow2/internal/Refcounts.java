package io.jsd.qcow2.internal;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.jsd.block.BlockException;

/**
 * The refcount table, a write-back cache of refcount blocks and the cluster allocator. Guarded by
 * the image's metadata lock (every method expects the caller to hold it).
 *
 * <p>Crash safety: increments may reach the disk at any time (a crash then leaks at most);
 * decrements wait in {@link #pendingFree} until the L2 tables that stopped referencing those
 * clusters are on disk ({@link Qcow2Image#flushMetadata}), so a cluster is never referenced by
 * metadata on disk while its refcount there is 0, and a freed cluster is only reused after that.
 */
final class Refcounts {
    private final Qcow2Image img;
    private final int clusterBits;
    private final int order;
    private final int entriesPerBlockBits;
    private final long maxValue;
    long[] table;
    private boolean tableDirty;
    private final Map<Long, Block> blocks;
    private final int cacheCapacity;
    /** Clusters whose refcount drops once the L2 tables not referencing them are written. */
    final List<Long> pendingFree = new ArrayList<>();
    /** First cluster index that may be free. */
    private long freeHint;
    /** During repair: never allocate below this cluster index (the on-disk counts are not trusted). */
    long allocFloor;

    private static final class Block {
        final long offset;
        final byte[] data;
        boolean dirty;
        Block(long offset, byte[] data) { this.offset = offset; this.data = data; }
    }

    Refcounts(Qcow2Image img, long[] table, int cacheClusters) {
        this.img = img;
        this.clusterBits = img.h.clusterBits;
        this.order = img.h.refcountOrder;
        this.entriesPerBlockBits = clusterBits + 3 - order;
        this.maxValue = order == 6 ? Long.MAX_VALUE : (1L << (1 << order)) - 1;
        this.table = table;
        this.cacheCapacity = Math.max(4, cacheClusters);
        this.blocks = new LinkedHashMap<>(16, 0.75f, true);
    }

    long entriesPerBlock() { return 1L << entriesPerBlockBits; }

    /** Refcount of host cluster {@code idx}. */
    long get(long idx) throws BlockException {
        long t = idx >>> entriesPerBlockBits;
        if (t >= table.length) return 0;
        long off = table[(int) t] & Qcow2Image.OFFSET_MASK;
        if (off == 0) return 0;
        Block b = load(off);
        return read(b.data, (int) (idx & (entriesPerBlock() - 1)));
    }

    /** Sets the refcount of host cluster {@code idx}, allocating refcount blocks (and table) as needed. */
    void set(long idx, long value) throws BlockException {
        if (value < 0 || Long.compareUnsigned(value, maxValue) > 0) {
            throw BlockException.io("qcow2: refcount overflow (refcount_bits=" + (1 << order) + ")", null);
        }
        long t = idx >>> entriesPerBlockBits;
        if (t >= table.length) growTable(t + 1);
        long off = table[(int) t] & Qcow2Image.OFFSET_MASK;
        if (off == 0) {
            // newBlock may recurse (the new block's own refcount) and evict the block it just
            // made: look it up again rather than write into an object no longer cached
            newBlock(t);
            off = table[(int) t] & Qcow2Image.OFFSET_MASK;
        }
        Block b = load(off);
        write(b.data, (int) (idx & (entriesPerBlock() - 1)), value);
        b.dirty = true;
        if (value == 0 && idx < freeHint) freeHint = idx;
    }

    void increment(long idx, long delta) throws BlockException { set(idx, get(idx) + delta); }

    /** Allocates {@code n} contiguous clusters with refcount 1; returns the host offset. */
    long allocate(int n) throws BlockException {
        long end = img.endCluster;
        long i = Math.max(freeHint, allocFloor);
        long runStart = -1;
        int run = 0;
        boolean sawFree = false;
        // first fit below the end of the file, then append
        while (i < end) {
            // as qemu, trust the refcounts: a cluster counted 0 that holds metadata (a broken
            // image) is caught by the overlap check when it is written, not silently skipped
            if (get(i) == 0) {
                sawFree = true;
                if (run == 0) runStart = i;
                if (++run == n) break;
            } else {
                run = 0;
                runStart = -1;
                if (!sawFree) freeHint = i + 1;
            }
            i++;
        }
        if (run == 0) runStart = Math.max(end, allocFloor);
        long start = runStart;
        if (start + n > img.endCluster) img.growTo(start + n);
        if (freeHint == start) freeHint = start + n;
        for (int k = 0; k < n; k++) set(start + k, 1);
        return start << clusterBits;
    }

    /** Queues a decrement for after the next metadata write-back. */
    void freeLater(long idx) { pendingFree.add(idx); }

    /** Applies queued decrements (the caller has written the L2/L1 tables first). */
    List<Long> applyPendingFrees() throws BlockException {
        List<Long> zeroed = new ArrayList<>();
        for (long idx : pendingFree) {
            long v = get(idx);
            if (v == 0) continue; // already free: a repair or double queue
            set(idx, v - 1);
            if (v == 1) zeroed.add(idx);
        }
        pendingFree.clear();
        return zeroed;
    }

    private Block newBlock(long t) throws BlockException {
        // place the block at the end of the image: covering itself if it falls into its own range
        long blockIdx = Math.max(img.endCluster, allocFloor);
        img.growTo(blockIdx + 1);
        byte[] data = new byte[1 << clusterBits];
        Block b = new Block(blockIdx << clusterBits, data);
        b.dirty = true;
        put(b);
        table[(int) t] = b.offset;
        tableDirty = true;
        img.reserveMetadata(blockIdx, Overlaps.REFCOUNT_BLOCK);
        if ((blockIdx >>> entriesPerBlockBits) == t) {
            write(data, (int) (blockIdx & (entriesPerBlock() - 1)), 1);
        } else {
            set(blockIdx, 1);
        }
        return b;
    }

    /** Moves the refcount table to a larger one at the end of the image (qemu's grow path). */
    private void growTable(long minEntries) throws BlockException {
        int cs = 1 << clusterBits;
        long entries = Math.max(minEntries + 8, (long) table.length * 2);
        long clusters = (entries * 8 + cs - 1) / cs;
        if (clusters * cs > Header.MAX_REFTABLE_BYTES) throw new BlockException(BlockException.Kind.NO_SPACE, "qcow2: refcount table would exceed 8 MiB");
        long start = Math.max(img.endCluster, allocFloor);
        img.growTo(start + clusters);
        long[] old = table;
        long oldOffset = img.h.refcountTableOffset;
        int oldClusters = img.h.refcountTableClusters;
        table = java.util.Arrays.copyOf(old, (int) (clusters * cs / 8));
        for (long k = 0; k < clusters; k++) {
            img.reserveMetadata(start + k, Overlaps.REFCOUNT_TABLE);
            set(start + k, 1);
        }
        // new table + blocks on disk, then the header switches to it, then the old table is freed
        tableDirty = false; // the new table is written below, at its new place
        writeDirtyBlocks();
        writeTableAt(start << clusterBits, table);
        img.file.flush();
        ByteBuffer hb = ByteBuffer.allocate(12);
        hb.putLong(0, start << clusterBits).putInt(8, (int) clusters);
        img.file.write(Header.OFF_REFTABLE_OFFSET, hb, 0);
        img.file.flush();
        img.h.refcountTableOffset = start << clusterBits;
        img.h.refcountTableClusters = (int) clusters;
        tableDirty = false;
        for (int k = 0; k < oldClusters; k++) {
            long idx = (oldOffset >> clusterBits) + k;
            img.unreserveMetadata(idx);
            freeLater(idx);
        }
    }

    private void writeTableAt(long offset, long[] t) throws BlockException {
        ByteBuffer b = ByteBuffer.allocate(t.length * 8);
        for (long e : t) b.putLong(e);
        b.flip();
        img.checkMetadataWrite(Overlaps.REFCOUNT_TABLE, offset, b.remaining());
        img.file.write(offset, b, 0);
    }

    private Block load(long off) throws BlockException {
        Block b = blocks.get(off);
        if (b != null) return b;
        if ((off & ((1L << clusterBits) - 1)) != 0 || off + (1L << clusterBits) > img.fileSize()) {
            throw img.corruption("Refcount block offset invalid or beyond the end of the image file", off);
        }
        byte[] data = new byte[1 << clusterBits];
        img.file.read(off, ByteBuffer.wrap(data));
        b = new Block(off, data);
        put(b);
        return b;
    }

    private void put(Block b) throws BlockException {
        blocks.put(b.offset, b);
        if (blocks.size() > cacheCapacity) {
            var it = blocks.entrySet().iterator();
            while (blocks.size() > cacheCapacity && it.hasNext()) {
                Block victim = it.next().getValue();
                if (victim == b) continue;
                if (victim.dirty) writeBlock(victim);
                it.remove();
            }
        }
    }

    private void writeBlock(Block b) throws BlockException {
        img.checkMetadataWrite(Overlaps.REFCOUNT_BLOCK, b.offset, b.data.length);
        img.file.write(b.offset, ByteBuffer.wrap(b.data), 0);
        b.dirty = false;
    }

    /** Writes every dirty block and the table (phase 1 of a metadata flush). */
    void writeDirtyBlocks() throws BlockException {
        for (Block b : blocks.values()) if (b.dirty) writeBlock(b);
        if (tableDirty) {
            // a table entry may only point to a refcount block that is on disk (qemu's
            // alloc_refcount_block flushes the new block before it updates the table)
            img.file.flush();
            writeTableAt(img.h.refcountTableOffset, table);
            tableDirty = false;
        }
    }

    boolean dirty() {
        if (tableDirty || !pendingFree.isEmpty()) return true;
        for (Block b : blocks.values()) if (b.dirty) return true;
        return false;
    }

    long read(byte[] d, int i) {
        return switch (order) {
            case 0, 1, 2 -> {
                int bits = 1 << order;
                int bit = i * bits;
                yield (d[bit >>> 3] >>> (bit & 7)) & ((1 << bits) - 1);
            }
            case 3 -> d[i] & 0xffL;
            case 4 -> ((d[2 * i] & 0xff) << 8) | (d[2 * i + 1] & 0xff);
            case 5 -> ByteBuffer.wrap(d).getInt(4 * i) & 0xffffffffL;
            default -> ByteBuffer.wrap(d).getLong(8 * i);
        };
    }

    private void write(byte[] d, int i, long v) {
        switch (order) {
            case 0, 1, 2 -> {
                int bits = 1 << order;
                int bit = i * bits;
                int mask = ((1 << bits) - 1) << (bit & 7);
                d[bit >>> 3] = (byte) ((d[bit >>> 3] & ~mask) | ((int) (v << (bit & 7)) & mask));
            }
            case 3 -> d[i] = (byte) v;
            case 4 -> { d[2 * i] = (byte) (v >>> 8); d[2 * i + 1] = (byte) v; }
            case 5 -> ByteBuffer.wrap(d).putInt(4 * i, (int) v);
            default -> ByteBuffer.wrap(d).putLong(8 * i, v);
        }
    }
}
