package io.jsd.qcow2.internal;

import io.jsd.block.BlockException;

/**
 * Translates guest ranges to what backs them, one extent at a time, from the active L1/L2 tables.
 * Adjacent clusters (subclusters with extended L2) of the same kind are merged, data ones only when
 * their host offsets are contiguous, so a large read is one host read.
 */
final class Mapping {
    static final int UNALLOCATED = 0, ZERO = 1, DATA = 2, COMPRESSED = 3;

    /** @param host host offset of the first byte (DATA) or the compressed descriptor (COMPRESSED) */
    record Extent(int type, long host, long length) {}

    private final Qcow2Image img;

    Mapping(Qcow2Image img) { this.img = img; }

    /** The extent starting at guest {@code off}, at most {@code max} bytes. */
    Extent lookup(long off, long max) throws BlockException {
        // lock-free when the L2 table is cached; anything odd is decided again under the lock
        long[] l1 = img.l1;
        int l1i = (int) ((off >>> img.cb) >>> img.l2Bits);
        if (l1i < l1.length) {
            long l2off = l1[l1i] & Qcow2Image.OFFSET_MASK;
            if (l2off == 0) {
                long tableEnd = ((long) (l1i + 1) << img.l2Bits) << img.cb;
                return new Extent(UNALLOCATED, 0, Math.min(max, tableEnd - off));
            }
            L2Cache.Table t = img.l2.peek(l2off);
            if (t != null) {
                Extent x = scan(t, off, max, false);
                if (x != null) return x;
            }
        }
        img.lock.lock();
        try {
            return lookupLocked(off, max);
        } finally {
            img.lock.unlock();
        }
    }

    Extent lookupLocked(long off, long max) throws BlockException {
        int cb = img.cb;
        int l1i = (int) ((off >>> cb) >>> img.l2Bits);
        L2Cache.Table t = img.l2Table(l1i);
        if (t == null) {
            long tableEnd = ((long) (l1i + 1) << img.l2Bits) << cb;
            return new Extent(UNALLOCATED, 0, Math.min(max, tableEnd - off));
        }
        return scan(t, off, max, true);
    }

    /**
     * Classifies entries of table {@code t} from {@code off}. With {@code strict} false (no lock
     * held) it returns null instead of reporting corruption: a racing update may be half-seen.
     */
    private Extent scan(L2Cache.Table t, long off, long max, boolean strict) throws BlockException {
        int cb = img.cb;
        long l2Mask = img.l2Entries() - 1;
        int l2i = (int) ((off >>> cb) & l2Mask);
        int unitBits = img.scBits;
        long pos = off;
        long remaining = max;
        int type = -1;
        long host = 0, expectHost = 0, len = 0;
        while (remaining > 0 && l2i <= l2Mask) {
            // bitmap (acquire) before descriptor: writers store the descriptor, then release the bitmap
            long bm = img.ext ? L2Cache.bitmap(t, l2i) : 0;
            long e = img.ext ? t.w[2 * l2i] : t.w[l2i];
            long inCluster = pos & (img.cs - 1);
            int ut;
            long uhost = 0;
            long unitEnd; // end of this unit within the cluster
            if ((e & Qcow2Image.COMPRESSED) != 0) {
                if (!strict && img.data != img.file) return null;
                if (img.data != img.file) throw img.corruption("Compressed cluster in an image with an external data file", -1);
                ut = COMPRESSED;
                uhost = e & ~(Qcow2Image.COPIED | Qcow2Image.COMPRESSED);
                unitEnd = img.cs;
            } else {
                long ho = e & Qcow2Image.OFFSET_MASK;
                boolean hostValid = ho != 0 || (img.data != img.file && (e & Qcow2Image.COPIED) != 0);
                if (hostValid && (ho & (img.cs - 1)) != 0) {
                    if (!strict) return null;
                    throw img.corruption("Cluster allocation offset 0x" + Long.toHexString(ho) + " unaligned (L2 offset: 0x"
                            + Long.toHexString(t.offset) + ", L2 index: 0x" + Integer.toHexString(l2i) + ")", ho);
                }
                if (!img.ext) {
                    unitEnd = img.cs;
                    if (img.h.version >= 3 && (e & Qcow2Image.ZERO_FLAG) != 0) ut = ZERO;
                    else if (hostValid) { ut = DATA; uhost = ho + inCluster; }
                    else ut = UNALLOCATED;
                } else {
                    int sc = (int) (inCluster >>> unitBits);
                    unitEnd = (long) (sc + 1) << unitBits;
                    long alloc = bm & 0xffffffffL, zero = bm >>> 32;
                    if ((alloc & zero) != 0 && !strict) return null;
                    if ((alloc & zero) != 0) throw img.corruption("Invalid cluster entry found (L2 offset: 0x" + Long.toHexString(t.offset) + ")", t.offset);
                    if ((alloc >>> sc & 1) != 0) {
                        if (!hostValid && !strict) return null;
                        if (!hostValid) throw img.corruption("Allocated subcluster without host offset", t.offset);
                        ut = DATA;
                        uhost = ho + inCluster;
                    } else if ((zero >>> sc & 1) != 0) ut = ZERO;
                    else ut = UNALLOCATED;
                }
            }
            long n = Math.min(remaining, unitEnd - inCluster);
            if (type < 0) {
                type = ut;
                host = uhost;
                expectHost = uhost;
            } else if (ut != type || type == COMPRESSED || (type == DATA && uhost != expectHost)) {
                break;
            }
            len += n;
            expectHost += n;
            pos += n;
            remaining -= n;
            if ((pos & (img.cs - 1)) == 0) l2i++;
        }
        return new Extent(type, host, len);
    }
}
