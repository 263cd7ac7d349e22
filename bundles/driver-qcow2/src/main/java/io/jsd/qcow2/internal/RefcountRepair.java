package io.jsd.qcow2.internal;

import java.nio.ByteBuffer;

import io.jsd.block.BlockException;

/**
 * Rebuilds refcounts from the references in the image (what "qemu-img check -r all" does for an
 * image left dirty by lazy refcounts): counts every reference from header, L1/L2 tables of the
 * active state and of every snapshot, refcount structures and bitmaps, then fixes each refcount
 * that differs. New refcount blocks are placed past every referenced cluster.
 */
final class RefcountRepair {
    /** Bound on the in-memory count array (qemu-img check keeps one too). */
    private static final long MAX_CLUSTERS = 1L << 26;

    private final Qcow2Image img;
    private int[] counts;

    RefcountRepair(Qcow2Image img) { this.img = img; }

    void repair() throws BlockException {
        long n = img.endCluster;
        if (n > MAX_CLUSTERS) throw BlockException.unsupported("qcow2: image too large to repair refcounts");
        counts = new int[(int) n];
        Header h = img.h;
        ref(0, img.cs);
        ref(h.l1TableOffset, (long) h.l1Size * 8);
        walkL1(img.l1);
        ref(h.refcountTableOffset, (long) h.refcountTableClusters * img.cs);
        for (long e : img.refcounts.table) if ((e & Qcow2Image.OFFSET_MASK) != 0) ref(e & Qcow2Image.OFFSET_MASK, img.cs);
        if (h.nbSnapshots > 0) {
            ref(h.snapshotsOffset, Snapshots.tableBytes(img));
            for (Snapshots.Entry s : Snapshots.read(img)) {
                ref(s.l1Offset(), (long) s.l1Size() * 8);
                walkL1(img.readTable(s.l1Offset(), s.l1Size()));
            }
        }
        if (h.cryptoHeaderOffset > 0) ref(h.cryptoHeaderOffset, h.cryptoHeaderLength);
        if (h.nbBitmaps > 0 && (h.autoclear & Header.AUTOCLEAR_BITMAPS) != 0) walkBitmaps();

        img.refcounts.allocFloor = n;
        for (long i = 0; i < n; i++) {
            long want = counts[(int) i];
            if (img.refcounts.get(i) != want) img.refcounts.set(i, want);
        }
        img.refcounts.allocFloor = 0;
    }

    private void walkL1(long[] l1) throws BlockException {
        for (long e : l1) {
            long off = e & Qcow2Image.OFFSET_MASK;
            if (off == 0) continue;
            ref(off, img.cs);
            long[] w = img.l2.get(off).w;
            int step = img.ext ? 2 : 1;
            for (int k = 0; k < w.length; k += step) {
                long x = w[k];
                if ((x & Qcow2Image.COMPRESSED) != 0) {
                    long desc = x & ~(Qcow2Image.COPIED | Qcow2Image.COMPRESSED);
                    for (long c = Compressed.firstCluster(desc, img.cb); c <= Compressed.lastCluster(desc, img.cb); c++) {
                        ref(c << img.cb, 1);
                    }
                } else if ((x & Qcow2Image.OFFSET_MASK) != 0 && img.data == img.file) {
                    ref(x & Qcow2Image.OFFSET_MASK, img.cs);
                }
            }
        }
    }

    private void walkBitmaps() throws BlockException {
        Header h = img.h;
        if (h.bitmapDirectorySize > (64L << 20)) return;
        ref(h.bitmapDirectoryOffset, h.bitmapDirectorySize);
        ByteBuffer d = ByteBuffer.allocate((int) h.bitmapDirectorySize);
        img.file.read(h.bitmapDirectoryOffset, d);
        int pos = 0;
        for (int i = 0; i < h.nbBitmaps && pos + 24 <= d.capacity(); i++) {
            long tableOff = d.getLong(pos);
            int tableSize = d.getInt(pos + 8);
            int nameSize = d.getShort(pos + 18) & 0xffff;
            int extra = d.getInt(pos + 20);
            ref(tableOff, (long) tableSize * 8);
            for (long e : img.readTable(tableOff, tableSize)) {
                if ((e & Qcow2Image.OFFSET_MASK) != 0) ref(e & Qcow2Image.OFFSET_MASK, img.cs);
            }
            pos += (24 + extra + nameSize + 7) & ~7;
        }
    }

    private void ref(long offset, long bytes) throws BlockException {
        if (bytes <= 0) return;
        for (long c = offset >>> img.cb; c <= (offset + bytes - 1) >>> img.cb; c++) {
            if (c >= counts.length) throw img.corruption("Reference beyond the end of the image file", c << img.cb);
            counts[(int) c]++;
        }
    }
}
