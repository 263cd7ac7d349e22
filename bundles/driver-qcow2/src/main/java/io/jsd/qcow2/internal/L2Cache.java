package io.jsd.qcow2.internal;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentHashMap;

import io.jsd.block.BlockException;

/**
 * Cache of L2 tables keyed by their host offset, written back on flush or eviction. Changes
 * (load, create, evict, write-back) happen under the image's metadata lock; {@link #peek} is
 * lock-free so that reads and in-place writes of cached tables never wait for the lock. Eviction
 * is a clock sweep (a table used since the last sweep gets a second chance). An evicted dirty table
 * is written only after the refcounts it depends on are stable ({@link Qcow2Image#beforeL2Write}).
 */
final class L2Cache {
    /** One L2 table: 64-bit words in file order (two per entry with extended L2). */
    static final class Table {
        final long offset;
        final long[] w;
        boolean dirty;
        volatile boolean referenced;
        Table(long offset, long[] w) { this.offset = offset; this.w = w; }
    }

    private static final java.lang.invoke.VarHandle LONGS = java.lang.invoke.MethodHandles.arrayElementVarHandle(long[].class);

    /** Reads the subcluster bitmap of extended entry {@code i} with acquire semantics. */
    static long bitmap(Table t, int i) { return (long) LONGS.getAcquire(t.w, 2 * i + 1); }

    /** Publishes an extended entry: descriptor first, then the bitmap with release semantics. */
    static void setExtended(Table t, int i, long descriptor, long bitmap) {
        t.w[2 * i] = descriptor;
        LONGS.setRelease(t.w, 2 * i + 1, bitmap);
    }

    private final Qcow2Image img;
    private final int capacity;
    private final ConcurrentHashMap<Long, Table> tables = new ConcurrentHashMap<>();
    private final ArrayDeque<Long> clock = new ArrayDeque<>();

    L2Cache(Qcow2Image img, int capacity) {
        this.img = img;
        this.capacity = Math.max(2, capacity);
    }

    /** The cached table at {@code offset} or null; needs no lock. */
    Table peek(long offset) {
        Table t = tables.get(offset);
        if (t != null && !t.referenced) t.referenced = true;
        return t;
    }

    /** The table at {@code offset}, loaded if needed. Caller holds the lock. */
    Table get(long offset) throws BlockException {
        Table t = peek(offset);
        if (t != null) return t;
        int cs = img.h.clusterSize();
        if (offset + cs > img.fileSize()) {
            throw img.corruption("L2 table offset beyond the end of the image file", offset);
        }
        ByteBuffer b = ByteBuffer.allocate(cs);
        img.file.read(offset, b);
        b.flip();
        long[] w = new long[cs / 8];
        b.asLongBuffer().get(w);
        t = new Table(offset, w);
        put(t);
        return t;
    }

    /** Adds a table that exists only in memory so far (new or copied). Caller holds the lock. */
    Table create(long offset, long[] w) throws BlockException {
        Table old = tables.get(offset);
        if (old != null && old.dirty) throw BlockException.io("qcow2: L2 table reused while dirty", null);
        Table t = new Table(offset, w);
        t.dirty = true;
        put(t);
        return t;
    }

    private void put(Table t) throws BlockException {
        if (tables.put(t.offset, t) == null) clock.addLast(t.offset);
        int guard = 3 * clock.size();
        while (tables.size() > capacity && guard-- > 0) {
            Long off = clock.pollFirst();
            if (off == null) break;
            Table v = tables.get(off);
            if (v == null) continue;
            if (v == t || v.referenced) {
                v.referenced = false;
                clock.addLast(off);
                continue;
            }
            if (v.dirty) {
                img.beforeL2Write();
                write(v);
            }
            tables.remove(off);
        }
    }

    private void write(Table t) throws BlockException {
        ByteBuffer b = ByteBuffer.allocate(t.w.length * 8);
        b.asLongBuffer().put(t.w);
        img.checkMetadataWrite(Overlaps.ACTIVE_L2, t.offset, b.remaining());
        img.metaWrite(t.offset, b);
        t.dirty = false;
    }

    boolean dirty() {
        for (Table t : tables.values()) if (t.dirty) return true;
        return false;
    }

    void writeDirty() throws BlockException {
        for (Table t : tables.values()) if (t.dirty) write(t);
    }
}
