package io.jsd.qcow2.internal;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.jsd.block.BlockException;
import io.jsd.block.BlockNode;
import io.jsd.qmp.QmpEvents;

/**
 * The metadata of one open qcow2 image: header, active L1 table, L2 and refcount caches, the
 * metadata lock and the set of clusters holding metadata (for overlap checks). Data I/O is done by
 * {@link Qcow2Node} outside the lock.
 */
final class Qcow2Image {
    static final long OFFSET_MASK = 0x00fffffffffffe00L;
    static final long COPIED = 1L << 63, COMPRESSED = 1L << 62, ZERO_FLAG = 1L;

    final Header h;
    final BlockNode file;
    /** Where guest data lives: the external data file, or {@link #file}. */
    final BlockNode data;
    final BlockNode backing;
    final int cb;
    final int cs;
    final int l2Bits;
    final boolean ext;
    final int scBits;
    final String nodeName;
    final QmpEvents events;
    volatile boolean readOnly;
    volatile boolean corrupt;
    /** LUKS payload cipher, null for unencrypted images; IVs are host sectors (qemu's crypt_physical_offset). */
    SectorCipher crypto;
    /** The LUKS header as query-named-block-nodes shows it, or null. */
    ObjectNode cryptoInfo;
    /** The backing file as opened from the header (qemu's full-backing-filename), or null. */
    String backingPath;
    /** Punch freed clusters out of the image file (pass-discard-request, default: discard=unmap). */
    boolean passDiscard;
    /** Enabled persistent bitmaps being tracked, or null. */
    Bitmaps bitmaps;

    /** Active L1; replaced (never shrunk in place) when it grows, read without the lock. */
    volatile long[] l1;
    private int l1DirtyLo = Integer.MAX_VALUE, l1DirtyHi = -1;
    Refcounts refcounts;
    L2Cache l2;
    /** One past the last host cluster of the image file (the allocator appends here). */
    long endCluster;
    private long fileSize;

    final ReentrantLock lock = new ReentrantLock();
    final Condition allocDone = lock.newCondition();
    /** Guest clusters with an allocating write in flight: others wait for it (no double allocation). */
    final Set<Long> inflight = new HashSet<>();
    /** Host clusters holding metadata, by kind: writes onto them are refused (qemu's overlap checks). */
    final Overlaps overlaps;

    Qcow2Image(Header h, BlockNode file, BlockNode data, BlockNode backing, String nodeName, QmpEvents events, boolean readOnly)
            throws BlockException {
        this(h, file, data, backing, nodeName, events, readOnly, Overlaps.CACHED);
    }

    Qcow2Image(Header h, BlockNode file, BlockNode data, BlockNode backing, String nodeName, QmpEvents events, boolean readOnly,
               int overlapChecks) throws BlockException {
        this.overlaps = new Overlaps(h.clusterBits, overlapChecks);
        this.h = h;
        this.file = file;
        this.data = data;
        this.backing = backing;
        this.cb = h.clusterBits;
        this.cs = h.clusterSize();
        this.ext = h.extendedL2();
        this.l2Bits = cb - (ext ? 4 : 3);
        this.scBits = ext ? cb - 5 : cb;
        this.nodeName = nodeName;
        this.events = events;
        this.readOnly = readOnly;
        this.fileSize = file.size();
        this.endCluster = (fileSize + cs - 1) >>> cb;
    }

    long fileSize() { return fileSize; }

    /** En/decrypts data at host offset {@code host} in place when the image is encrypted. */
    void crypt(boolean encrypt, long host, ByteBuffer b) throws BlockException {
        if (crypto == null) return;
        try {
            crypto.apply(encrypt, b, host / SectorCipher.SECTOR);
        } catch (java.security.GeneralSecurityException e) {
            throw BlockException.io("qcow2: " + e.getMessage(), e);
        }
    }

    long l2Entries() { return 1L << l2Bits; }

    /** Loads L1 and refcount table and records where metadata lives. */
    void load(int l2CacheTables, int refcountCacheClusters) throws BlockException {
        l1 = readTable(h.l1TableOffset, h.l1Size);
        long[] rt = readTable(h.refcountTableOffset, (int) ((long) h.refcountTableClusters * cs / 8));
        refcounts = new Refcounts(this, rt, refcountCacheClusters);
        l2 = new L2Cache(this, l2CacheTables);
        reserveMetadata(0, Overlaps.MAIN_HEADER);
        reserveRange(h.l1TableOffset, (long) h.l1Size * 8, Overlaps.ACTIVE_L1);
        reserveRange(h.refcountTableOffset, (long) h.refcountTableClusters * cs, Overlaps.REFCOUNT_TABLE);
        for (long e : rt) if ((e & OFFSET_MASK) != 0) reserveMetadata((e & OFFSET_MASK) >>> cb, Overlaps.REFCOUNT_BLOCK);
        for (long e : l1) if ((e & OFFSET_MASK) != 0) reserveMetadata((e & OFFSET_MASK) >>> cb, Overlaps.ACTIVE_L2);
        if (h.nbBitmaps > 0 && h.bitmapDirectoryOffset > 0) {
            reserveRange(h.bitmapDirectoryOffset, h.bitmapDirectorySize, Overlaps.BITMAP_DIRECTORY);
        }
        for (Snapshots.Entry s : Snapshots.read(this)) {
            reserveRange(s.l1Offset(), (long) s.l1Size() * 8, Overlaps.INACTIVE_L1);
            if ((overlaps.enabled & Overlaps.INACTIVE_L2) != 0 && s.l1Size() > 0) {
                for (long e : readTable(s.l1Offset(), s.l1Size())) {
                    if ((e & OFFSET_MASK) != 0) reserveMetadata((e & OFFSET_MASK) >>> cb, Overlaps.INACTIVE_L2);
                }
            }
        }
        if (h.nbSnapshots > 0) reserveRange(h.snapshotsOffset, Snapshots.tableBytes(this), Overlaps.SNAPSHOT_TABLE);
    }

    long[] readTable(long offset, int entries) throws BlockException {
        if (entries == 0) return new long[0];
        ByteBuffer b = ByteBuffer.allocate(entries * 8);
        file.read(offset, b);
        b.flip();
        long[] t = new long[entries];
        b.asLongBuffer().get(t);
        return t;
    }

    // ---- overlap checks -------------------------------------------------------------------------

    void reserveMetadata(long cluster, int kind) { overlaps.add(cluster, kind); }
    void unreserveMetadata(long cluster) { overlaps.remove(cluster); }

    void reserveRange(long offset, long bytes, int kind) { overlaps.addRange(offset, bytes, kind); }

    /** Refuses a data write that would land on metadata: marks the image corrupt (qemu's overlap check). */
    void checkDataWrite(long hostOffset, long len) throws BlockException {
        if (data != file) return;
        checkMetadataWrite(0, hostOffset, len);
    }

    /**
     * qcow2_pre_write_overlap_check: refuses a write of metadata of kind {@code ignore} (0 for
     * data) that would overwrite other metadata, and marks the image corrupt.
     */
    void checkMetadataWrite(int ignore, long offset, long len) throws BlockException {
        int hit = overlaps.check(ignore, offset, len);
        if (hit != 0) {
            throw corruption("Preventing invalid write on metadata (overlaps with " + Overlaps.name(hit) + ")", offset, len);
        }
    }

    /** After a fatal corruption the node is unusable, as qemu's (bs->drv = NULL): requests fail with ENOMEDIUM. */
    void checkUsable() throws BlockException {
        if (corrupt && fatalCorruption) throw BlockException.invalid("No medium found");
    }

    private volatile boolean fatalCorruption;

    BlockException corruption(String msg, long offset) { return corruption(msg, offset, -1); }

    /**
     * qcow2_signal_corruption: marks the image corrupt (once), emits BLOCK_IMAGE_CORRUPTED and
     * returns the EIO to throw. On a writable image it is fatal: the corrupt bit goes into the
     * header and the node refuses every later request.
     */
    BlockException corruption(String msg, long offset, long size) {
        if (!corrupt) {
            corrupt = true;
            boolean fatal = !readOnly;
            System.err.println(fatal ? "qcow2: Marking image as corrupt: " + msg + "; further corruption events will be suppressed"
                    : "qcow2: Image is corrupt: " + msg + "; further non-fatal corruption events will be suppressed");
            if (fatal) {
                try {
                    ByteBuffer b = ByteBuffer.allocate(8).putLong(0, h.incompatible | Header.INCOMPAT_CORRUPT);
                    if (h.version >= 3) {
                        file.write(Header.OFF_INCOMPAT, b, 0);
                        file.flush();
                    }
                    h.incompatible |= Header.INCOMPAT_CORRUPT;
                } catch (BlockException ignored) {
                    // the image is already unusable for writes
                }
                readOnly = true;
                fatalCorruption = true;
            }
            if (events != null) {
                // the members in the order QSD prints them
                ObjectNode d = JsonNodeFactory.instance.objectNode();
                d.put("device", "");
                d.put("msg", msg);
                if (offset >= 0) d.put("offset", offset);
                d.put("node-name", nodeName);
                d.put("fatal", fatal);
                if (size >= 0) d.put("size", size);
                events.emit("BLOCK_IMAGE_CORRUPTED", d);
            }
        }
        return BlockException.io("qcow2: " + msg + (offset >= 0 ? " (offset 0x" + Long.toHexString(offset) + ")" : ""), null);
    }

    // ---- file size ------------------------------------------------------------------------------

    /** Makes the image file at least {@code clusters} clusters long (grows in 1 MiB steps). */
    void growTo(long clusters) throws BlockException {
        if (clusters > endCluster) endCluster = clusters;
        long need = clusters << cb;
        if (need > fileSize) {
            long step = Math.max(cs, 1L << 20);
            long target = (need + step - 1) / step * step;
            file.truncate(target);
            fileSize = target;
        }
    }

    // ---- L1 / L2 --------------------------------------------------------------------------------

    /** The L2 table for L1 index {@code i}, or null when unallocated. Caller holds the lock. */
    L2Cache.Table l2Table(int i) throws BlockException {
        if (i >= l1.length) return null;
        long off = l1[i] & OFFSET_MASK;
        if (off == 0) return null;
        if ((off & (cs - 1)) != 0) throw corruption("L2 table offset 0x" + Long.toHexString(off) + " unaligned (L1 index: " + i + ")", off);
        if (off < cs) throw corruption("L2 table overlaps the image header (L1 index: " + i + ")", off);
        return l2.get(off);
    }

    /** The L2 table for writing: allocated, or copied when shared with a snapshot. Caller holds the lock. */
    L2Cache.Table l2TableForWrite(int i) throws BlockException {
        if (i >= l1.length) throw BlockException.io("qcow2: L1 index out of range", null);
        long e = l1[i];
        long off = e & OFFSET_MASK;
        if (off != 0 && (e & COPIED) != 0) return l2Table(i);
        long[] w;
        if (off == 0) {
            w = new long[cs / 8];
        } else {
            w = l2Table(i).w.clone();
        }
        long n = refcounts.allocate(1);
        if (n == 0) throw corruption("Preventing invalid allocation of L2 table at offset 0", -1, -1);
        reserveMetadata(n >>> cb, Overlaps.ACTIVE_L2);
        L2Cache.Table t = l2.create(n, w);
        if (off != 0) refcounts.freeLater(off >>> cb);
        setL1(i, n | COPIED);
        return t;
    }

    void setL1(int i, long v) {
        l1[i] = v; // a racing lock-free reader sees the old or the new entry, both valid
        l1DirtyLo = Math.min(l1DirtyLo, i);
        l1DirtyHi = Math.max(l1DirtyHi, i);
    }

    // ---- write-back ordering --------------------------------------------------------------------

    /** Before any L2 table reaches the disk: refcounts first, then a barrier (also covers data writes). */
    void beforeL2Write() throws BlockException {
        refcounts.writeDirtyBlocks();
        file.flush();
        if (data != file) data.flush();
    }

    void metaWrite(long offset, ByteBuffer b) throws BlockException {
        file.write(offset, b, 0);
    }

    boolean metadataDirty() {
        return l1DirtyHi >= 0 || l2.dirty() || refcounts.dirty();
    }

    /**
     * Writes back all metadata in crash-safe order: refcount increments, barrier, L2 tables,
     * barrier, L1, barrier, then the refcount decrements of clusters no longer referenced. Caller
     * holds the lock.
     */
    void flushMetadata() throws BlockException {
        if (!metadataDirty()) return;
        beforeL2Write();
        l2.writeDirty();
        if (l1DirtyHi >= 0) {
            // an L1 entry may only point to an L2 table that is on disk: the new table's cluster
            // may be a reused one whose old content reads as garbage entries (qemu flushes the L2
            // cache before qcow2_write_l1_entry)
            file.flush();
            // write the dirty span of L1 (sector-aligned)
            int lo = l1DirtyLo & ~63, hi = Math.min(l1.length, (l1DirtyHi | 63) + 1);
            ByteBuffer b = ByteBuffer.allocate((hi - lo) * 8);
            for (int k = lo; k < hi; k++) b.putLong(l1[k]);
            b.flip();
            checkMetadataWrite(Overlaps.ACTIVE_L1, h.l1TableOffset + lo * 8L, b.remaining());
            metaWrite(h.l1TableOffset + lo * 8L, b);
            l1DirtyLo = Integer.MAX_VALUE;
            l1DirtyHi = -1;
        }
        if (!refcounts.pendingFree.isEmpty()) {
            file.flush();
            java.util.List<Long> freed = refcounts.applyPendingFrees();
            for (long c : freed) unreserveMetadata(c);
            refcounts.writeDirtyBlocks();
            if (passDiscard) discardClusters(freed);
        }
    }

    /** Gives freed clusters back to the file system, in runs. Failures only cost space. */
    private void discardClusters(java.util.List<Long> freed) {
        java.util.Collections.sort(freed);
        int i = 0;
        while (i < freed.size()) {
            int j = i + 1;
            while (j < freed.size() && freed.get(j) == freed.get(j - 1) + 1) j++;
            try {
                file.discard(freed.get(i) << cb, (long) (j - i) << cb);
            } catch (BlockException e) {
                // discard is advisory
            }
            i = j;
        }
    }

    /** Rewrites header fields at their fixed offsets. */
    void writeHeaderLong(int offset, long v) throws BlockException {
        file.write(offset, ByteBuffer.allocate(8).putLong(0, v), 0);
    }

    void writeHeaderInt(int offset, int v) throws BlockException {
        file.write(offset, ByteBuffer.allocate(4).putInt(0, v), 0);
    }
}
