package io.jsd.qcow2.internal;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

import io.jsd.block.BlockException;

/**
 * LRU cache of L2 tables keyed by their host offset, written back on flush or eviction. Guarded by
 * the image's metadata lock. An evicted dirty table is written only after the refcounts it depends
 * on are stable ({@link Qcow2Image#beforeL2Write}).
 */
final class L2Cache {
    /** One L2 table: 64-bit words in file order (two per entry with extended L2). */
    static final class Table {
        final long offset;
        final long[] w;
        boolean dirty;
        Table(long offset, long[] w) { this.offset = offset; this.w = w; }
    }

    private final Qcow2Image img;
    private final int capacity;
    private final Map<Long, Table> tables = new LinkedHashMap<>(64, 0.75f, true);

    L2Cache(Qcow2Image img, int capacity) {
        this.img = img;
        this.capacity = Math.max(2, capacity);
    }

    Table get(long offset) throws BlockException {
        Table t = tables.get(offset);
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

    /** Adds a table that exists only in memory so far (new or copied). */
    Table create(long offset, long[] w) throws BlockException {
        Table t = new Table(offset, w);
        t.dirty = true;
        put(t);
        return t;
    }

    private void put(Table t) throws BlockException {
        tables.put(t.offset, t);
        if (tables.size() <= capacity) return;
        var it = tables.entrySet().iterator();
        while (tables.size() > capacity && it.hasNext()) {
            Table v = it.next().getValue();
            if (v == t) continue;
            if (v.dirty) {
                img.beforeL2Write();
                write(v);
            }
            it.remove();
        }
    }

    private void write(Table t) throws BlockException {
        ByteBuffer b = ByteBuffer.allocate(t.w.length * 8);
        b.asLongBuffer().put(t.w);
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

    void drop(long offset) { tables.remove(offset); }

    void clear() { tables.clear(); }
}
