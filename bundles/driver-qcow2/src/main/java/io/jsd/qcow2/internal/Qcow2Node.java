package io.jsd.qcow2.internal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.jsd.block.BlockException;
import io.jsd.block.BlockLimits;
import io.jsd.block.BlockNode;
import io.jsd.block.BlockStatus;
import io.jsd.block.Capabilities;
import io.jsd.block.ChildRole;
import io.jsd.block.IoFlags;
import io.jsd.block.NodeChild;
import io.jsd.block.Support;

/**
 * An open qcow2 image as a {@link BlockNode}. Reads and writes to allocated clusters take the
 * metadata lock only for the table lookup; allocating writes mark their guest cluster in flight,
 * write the data (with copy-on-write of the untouched part) outside the lock, and then publish the
 * new L2 entry.
 */
final class Qcow2Node implements BlockNode {
    private final Qcow2Image img;
    private final Mapping mapping;
    private final boolean discardNoUnref;
    private volatile long size;
    private volatile CachedCluster lastCompressed;

    private record CachedCluster(long desc, byte[] data) {}

    Qcow2Node(Qcow2Image img, boolean discardNoUnref) {
        this.img = img;
        this.mapping = new Mapping(img);
        this.discardNoUnref = discardNoUnref;
        this.size = img.h.size;
    }

    Qcow2Image image() { return img; }

    @Override
    public long size() { return size; }

    // ---- read -----------------------------------------------------------------------------------

    @Override
    public void read(long offset, ByteBuffer dst) throws BlockException {
        img.checkUsable();
        long off = offset;
        while (dst.hasRemaining()) {
            Mapping.Extent x = mapping.lookup(off, dst.remaining());
            int n = (int) x.length();
            ByteBuffer part = dst.slice(dst.position(), n);
            switch (x.type()) {
                case Mapping.UNALLOCATED -> readBacking(off, part);
                case Mapping.ZERO -> zero(part);
                case Mapping.DATA -> readData(x.host(), part);
                default -> readCompressed(x.host(), (int) (off & (img.cs - 1)), part);
            }
            dst.position(dst.position() + n);
            off += n;
        }
    }

    private void readBacking(long off, ByteBuffer b) throws BlockException {
        BlockNode bk = img.backing;
        if (bk == null) { zero(b); return; }
        long bsize = bk.size();
        long n = Math.max(0, Math.min(b.remaining(), bsize - off));
        if (n > 0) bk.read(off, b.slice(b.position(), (int) n));
        if (n < b.remaining()) zero(b.slice(b.position() + (int) n, b.remaining() - (int) n));
    }

    private void readData(long host, ByteBuffer b) throws BlockException {
        long avail = (img.data == img.file ? img.fileSize() : img.data.size()) - host;
        int n = (int) Math.max(0, Math.min(b.remaining(), avail));
        if (n > 0) img.data.read(host, b.slice(b.position(), n));
        if (n < b.remaining()) zero(b.slice(b.position() + n, b.remaining() - n)); // qemu reads past EOF as zeroes
        img.crypt(false, host, b.slice(b.position(), b.remaining()));
    }

    private void readCompressed(long desc, int inCluster, ByteBuffer b) throws BlockException {
        CachedCluster c = lastCompressed;
        if (c == null || c.desc != desc) {
            byte[] raw = Compressed.readRaw(img, desc);
            c = new CachedCluster(desc, Compressed.decompress(img.h.compressionType, raw, raw.length, img.cs));
            lastCompressed = c;
        }
        b.duplicate().put(c.data, inCluster, b.remaining());
    }

    private static void zero(ByteBuffer b) {
        ByteBuffer d = b.duplicate();
        while (d.hasRemaining()) d.put((byte) 0);
    }

    // ---- write ----------------------------------------------------------------------------------

    @Override
    public void write(long offset, ByteBuffer src, int flags) throws BlockException {
        checkWritable();
        if (img.bitmaps != null) img.bitmaps.mark(offset, src.remaining());
        long off = offset;
        while (src.hasRemaining()) {
            int s = (int) (off & (img.cs - 1));
            int n = Math.min(src.remaining(), img.cs - s);
            writeInCluster(off >>> img.cb, s, src.slice(src.position(), n));
            src.position(src.position() + n);
            off += n;
        }
    }

    private void checkWritable() throws BlockException {
        img.checkUsable();
        if (img.readOnly) {
            throw img.corrupt ? BlockException.io("qcow2: image is corrupt; writes are refused", null)
                    : new BlockException(BlockException.Kind.READ_ONLY, "qcow2: node is read-only");
        }
    }

    /** True when the write can go straight to the existing host cluster. */
    private boolean inPlace(long e, long bm, int s, int len) {
        if ((e & Qcow2Image.COMPRESSED) != 0 || (e & Qcow2Image.COPIED) == 0) return false;
        if ((e & Qcow2Image.OFFSET_MASK) == 0 && img.data == img.file) return false;
        if (!img.ext) return (e & Qcow2Image.ZERO_FLAG) == 0 || img.h.version < 3;
        long need = subclusterMask(s, s + len);
        return (bm & need) == need;
    }

    /** Bitmask of the subclusters touched by [s, e) within a cluster. */
    private long subclusterMask(int s, int e) {
        int first = s >>> img.scBits, last = (e - 1) >>> img.scBits;
        return (last == 31 ? 0xffffffffL : (1L << (last + 1)) - 1) & ~((1L << first) - 1);
    }

    private long[] entry(L2Cache.Table t, int l2i) {
        if (t == null) return new long[] {0, 0};
        return img.ext ? new long[] {t.w[2 * l2i], t.w[2 * l2i + 1]} : new long[] {t.w[l2i], 0};
    }

    private void awaitCluster(long gc) {
        while (img.inflight.contains(gc)) img.allocDone.awaitUninterruptibly();
    }

    private void writeInCluster(long gc, int s, ByteBuffer buf) throws BlockException {
        int l1i = (int) (gc >>> img.l2Bits), l2i = (int) (gc & (img.l2Entries() - 1));
        long[] old;
        long host = -1;
        // lock-free when the cluster is ours already and its table is cached
        long[] l1 = img.l1;
        if (l1i < l1.length && (l1[l1i] & Qcow2Image.COPIED) != 0) {
            L2Cache.Table t = img.l2.peek(l1[l1i] & Qcow2Image.OFFSET_MASK);
            if (t != null) {
                long bm = img.ext ? L2Cache.bitmap(t, l2i) : 0;
                long e = img.ext ? t.w[2 * l2i] : t.w[l2i];
                long ho = e & Qcow2Image.OFFSET_MASK;
                if ((ho & (img.cs - 1)) == 0 && inPlace(e, bm, s, buf.remaining())) {
                    inPlaceWrite(ho + s, buf);
                    return;
                }
            }
        }
        img.lock.lock();
        try {
            checkWritable();
            awaitCluster(gc);
            old = entry(img.l2Table(l1i), l2i);
            if (inPlace(old[0], old[1], s, buf.remaining())) host = (old[0] & Qcow2Image.OFFSET_MASK) + s;
            else img.inflight.add(gc);
        } finally {
            img.lock.unlock();
        }
        if (host >= 0) {
            inPlaceWrite(host, buf);
            return;
        }
        try {
            allocatingWrite(gc, l1i, l2i, s, buf, old[0], old[1]);
        } finally {
            img.lock.lock();
            try {
                img.inflight.remove(gc);
                img.allocDone.signalAll();
            } finally {
                img.lock.unlock();
            }
        }
    }

    private void inPlaceWrite(long host, ByteBuffer buf) throws BlockException {
        checkWritable();
        img.checkDataWrite(host, buf.remaining());
        if (img.crypto != null) {
            ByteBuffer enc = ByteBuffer.allocate(buf.remaining()).put(buf.duplicate()).flip();
            img.crypt(true, host, enc);
            buf = enc;
        }
        img.data.write(host, buf, 0);
    }

    private void allocatingWrite(long gc, int l1i, int l2i, int s, ByteBuffer buf, long e, long bm) throws BlockException {
        int len = buf.remaining();
        int end = s + len;
        boolean compressed = (e & Qcow2Image.COMPRESSED) != 0;
        long oldHost = compressed ? 0 : e & Qcow2Image.OFFSET_MASK;
        boolean external = img.data != img.file;
        boolean hostValid = !compressed && (oldHost != 0 || (external && (e & Qcow2Image.COPIED) != 0));
        boolean reuse = hostValid && ((e & Qcow2Image.COPIED) != 0 || external);
        int ws = 0, we = img.cs;
        boolean subclusterWrite = img.ext && !compressed && (reuse || !hostValid);
        if (subclusterWrite) {
            int sc = 1 << img.scBits;
            ws = s & ~(sc - 1);
            we = Math.min(img.cs, (end + sc - 1) & ~(sc - 1));
        }
        // the new content of [ws, we): the old view around the new data
        ByteBuffer out = ByteBuffer.allocate(we - ws);
        long base = gc << img.cb;
        if (ws < s) read(base + ws, out.slice(0, s - ws));
        out.put(s - ws, buf, buf.position(), len);
        if (end < we) read(base + end, out.slice(end - ws, we - end));

        long host;
        img.lock.lock();
        try {
            checkWritable();
            // qemu's order (handle_alloc): the L2 table first, then the data cluster, so that a
            // broken image fails the same way (an L2 table allocated at offset 0 is refused)
            img.l2TableForWrite(l1i);
            if (reuse) host = oldHost;
            else if (external) host = base;
            else host = img.refcounts.allocate(1);
        } finally {
            img.lock.unlock();
        }
        img.checkDataWrite(host + ws, we - ws);
        img.crypt(true, host + ws, out);
        img.data.write(host + ws, out, 0);

        img.lock.lock();
        try {
            checkWritable();
            L2Cache.Table t = img.l2TableForWrite(l1i);
            long ne = host | Qcow2Image.COPIED;
            if (img.ext) {
                long alloc, zero;
                if (subclusterWrite) {
                    long bits = subclusterMask(ws, we);
                    alloc = (bm & 0xffffffffL) | bits;
                    zero = (bm >>> 32) & ~bits;
                } else {
                    alloc = 0xffffffffL;
                    zero = 0;
                }
                L2Cache.setExtended(t, l2i, ne, (zero << 32) | alloc);
            } else {
                t.w[l2i] = ne;
            }
            t.dirty = true;
            if (hostValid && !reuse && !external) img.refcounts.freeLater(oldHost >>> img.cb);
            if (compressed) freeCompressed(e);
        } finally {
            img.lock.unlock();
        }
    }

    private void freeCompressed(long e) {
        long desc = e & ~(Qcow2Image.COPIED | Qcow2Image.COMPRESSED);
        for (long c = Compressed.firstCluster(desc, img.cb); c <= Compressed.lastCluster(desc, img.cb); c++) {
            img.refcounts.freeLater(c);
        }
    }

    // ---- write-zeroes and discard ---------------------------------------------------------------

    @Override
    public void writeZeroes(long offset, long length, int flags) throws BlockException {
        checkWritable();
        if (img.bitmaps != null) img.bitmaps.mark(offset, length);
        boolean unmap = IoFlags.has(flags, IoFlags.MAY_UNMAP);
        if (img.h.version < 3 || img.h.dataFileRaw()) {
            if (IoFlags.has(flags, IoFlags.FAST_ZERO)) throw BlockException.unsupported("qcow2: no fast zeroes for this image");
            writeZeroBytes(offset, length);
            return;
        }
        long off = offset, endAll = offset + length;
        while (off < endAll) {
            int s = (int) (off & (img.cs - 1));
            int n = (int) Math.min(endAll - off, img.cs - s);
            int e = s + n;
            long gc = off >>> img.cb;
            boolean toImageEnd = off + n >= size;
            if (!img.ext) {
                if (s == 0 && (n == img.cs || toImageEnd)) zeroUnits(gc, 0xffffffffL, unmap, false);
                else writeZeroBytes(off, n);
            } else {
                int sc = 1 << img.scBits;
                int fs = (s + sc - 1) & ~(sc - 1);
                int fe = toImageEnd ? img.cs : e & ~(sc - 1);
                if (fs < fe && zeroUnits(gc, subclusterMask(fs, fe), unmap, false)) {
                    if (s < fs) writeZeroBytes(off, fs - s);
                    if (fe < e) writeZeroBytes(off - s + fe, e - fe);
                } else {
                    writeZeroBytes(off, n); // partial subclusters, or a compressed cluster to copy
                }
            }
            off += n;
        }
    }

    private void writeZeroBytes(long off, long len) throws BlockException {
        while (len > 0) {
            int n = (int) Math.min(len, 1 << 20);
            write(off, ByteBuffer.allocate(n), 0);
            off += n;
            len -= n;
        }
    }

    @Override
    public void discard(long offset, long length) throws BlockException {
        checkWritable();
        if (img.bitmaps != null) img.bitmaps.mark(offset, length);
        if (img.h.dataFileRaw()) {
            // the data file must stay a valid raw image: discarded clusters read as zeroes there too
            long s = (offset + img.cs - 1) & ~(long) (img.cs - 1);
            long e = offset + length >= size ? offset + length : (offset + length) & ~(long) (img.cs - 1);
            if (s < e) writeZeroBytes(s, e - s);
            return;
        }
        long off = (offset + img.cs - 1) & ~(long) (img.cs - 1);
        long end = offset + length >= size ? offset + length + img.cs - 1 & ~(long) (img.cs - 1) : (offset + length) & ~(long) (img.cs - 1);
        for (; off < end; off += img.cs) {
            zeroUnits(off >>> img.cb, 0xffffffffL, !discardNoUnref, true);
        }
    }

    /**
     * Makes the given subclusters (all of them without extended L2) of guest cluster {@code gc} read
     * as zeroes (or fall through to nothing, for a discard without backing) by L2 entry changes
     * only. Returns false when that is not possible (a compressed cluster partly zeroed).
     */
    private boolean zeroUnits(long gc, long bits, boolean unmap, boolean discard) throws BlockException {
        int l1i = (int) (gc >>> img.l2Bits), l2i = (int) (gc & (img.l2Entries() - 1));
        boolean external = img.data != img.file;
        img.lock.lock();
        try {
            checkWritable();
            awaitCluster(gc);
            long[] old = entry(img.l2Table(l1i), l2i);
            long e = old[0], bm = old[1];
            boolean compressed = (e & Qcow2Image.COMPRESSED) != 0;
            long host = compressed ? 0 : e & Qcow2Image.OFFSET_MASK;
            boolean hostValid = !compressed && (host != 0 || (external && (e & Qcow2Image.COPIED) != 0));
            boolean whole = bits == 0xffffffffL;
            if (compressed && img.ext && !whole) return false;
            boolean allocated = compressed || hostValid || (!img.ext && (e & Qcow2Image.ZERO_FLAG) != 0)
                    || (img.ext && bm != 0);
            if (!allocated && img.backing == null) return true; // already reads as zeroes
            if (discard && img.h.version < 3 && !img.ext) {
                if (!allocated) return true;
            }
            L2Cache.Table t = img.l2TableForWrite(l1i);
            boolean keepHost = hostValid && (!unmap || external);
            long ne;
            long nbm = 0;
            if (!img.ext) {
                if (discard && img.h.version < 3) ne = keepHost ? e : 0;
                else ne = (keepHost ? e & (Qcow2Image.OFFSET_MASK | Qcow2Image.COPIED) : 0) | Qcow2Image.ZERO_FLAG;
                t.w[l2i] = ne;
            } else {
                long alloc = compressed ? 0 : (bm & 0xffffffffL) & ~bits;
                long zero = compressed ? 0xffffffffL : ((bm >>> 32) | bits);
                boolean dropHost = hostValid && !keepHost && alloc == 0;
                ne = compressed || dropHost ? 0 : e;
                if (!hostValid) ne = 0;
                nbm = (zero << 32) | alloc;
                L2Cache.setExtended(t, l2i, ne, nbm);
                keepHost = hostValid && !dropHost;
            }
            t.dirty = true;
            if (hostValid && !keepHost && !external) img.refcounts.freeLater(host >>> img.cb);
            if (compressed) freeCompressed(e);
            return true;
        } finally {
            img.lock.unlock();
        }
    }

    // ---- status, flush, size --------------------------------------------------------------------

    @Override
    public BlockStatus blockStatus(long offset, long length) throws BlockException {
        img.checkUsable();
        Mapping.Extent x = mapping.lookup(offset, length);
        return switch (x.type()) {
            case Mapping.UNALLOCATED -> {
                if (img.backing == null) yield new BlockStatus(offset, x.length(), BlockStatus.ZERO);
                long bsize = img.backing.size();
                if (offset >= bsize) yield new BlockStatus(offset, x.length(), BlockStatus.ZERO);
                yield new BlockStatus(offset, Math.min(x.length(), bsize - offset), 0);
            }
            case Mapping.ZERO -> new BlockStatus(offset, x.length(), BlockStatus.ZERO | BlockStatus.ALLOCATED);
            default -> new BlockStatus(offset, x.length(), BlockStatus.DATA | BlockStatus.ALLOCATED);
        };
    }

    @Override
    public void flush() throws BlockException {
        if (img.readOnly) return;
        img.lock.lock();
        try {
            img.flushMetadata();
        } finally {
            img.lock.unlock();
        }
        img.file.flush();
        if (img.data != img.file) img.data.flush();
    }

    @Override
    public void truncate(long newSize) throws BlockException {
        checkWritable();
        if (img.bitmaps != null || img.h.nbBitmaps > 0) {
            throw BlockException.unsupported("Cannot resize a qcow2 image with persistent bitmaps");
        }
        new Resize(img, this).resize(size, newSize);
        size = newSize;
    }

    @Override
    public Capabilities capabilities() {
        return new Capabilities(!img.readOnly, Support.NATIVE, Support.NONE, true, true, true, true, true);
    }

    @Override
    public BlockLimits limits() {
        return new BlockLimits(img.crypto != null ? SectorCipher.SECTOR : 1, img.cs, 32 * BlockLimits.MIB, 1L << 30, 1L << 30);
    }

    @Override
    public List<NodeChild> children() {
        List<NodeChild> c = new ArrayList<>();
        c.add(new NodeChild("file", ChildRole.PRIMARY, img.file));
        if (img.data != img.file) c.add(new NodeChild("data-file", ChildRole.DATA, img.data));
        if (img.backing != null) c.add(new NodeChild("backing", ChildRole.COW, img.backing));
        return c;
    }

    @Override
    public void describe(ObjectNode info) {
        // keys in the order qemu's ImageInfo has them
        info.put("cluster-size", img.cs);
        info.put("format", "qcow2");
        if (img.crypto != null) info.put("encrypted", true);
        ObjectNode fs = info.putObject("format-specific");
        fs.put("type", "qcow2");
        ObjectNode d = fs.putObject("data");
        d.put("compat", img.h.version >= 3 ? "1.1" : "0.10");
        if (img.h.version >= 3) {
            if (img.h.dataFile != null) d.put("data-file", img.h.dataFile);
            if (img.h.hasDataFile()) d.put("data-file-raw", img.h.dataFileRaw());
            d.put("compression-type", img.h.compressionType == 1 ? "zstd" : "zlib");
            d.put("lazy-refcounts", (img.h.compatible & Header.COMPAT_LAZY_REFCOUNTS) != 0);
            try {
                Bitmaps.describe(img, d);
            } catch (BlockException e) {
                // a broken bitmap directory is not worth failing a query for
            }
        }
        d.put("refcount-bits", img.h.refcountBits());
        if (img.cryptoInfo != null) d.set("encrypt", img.cryptoInfo.deepCopy());
        if (img.h.version >= 3) {
            d.put("corrupt", img.corrupt || img.h.corrupt());
            d.put("extended-l2", img.ext);
        }
        if (img.h.backingFile != null) {
            if (img.backingPath != null) info.put("full-backing-filename", img.backingPath);
            info.put("backing-filename", img.h.backingFile);
            if (img.h.backingFormat != null) info.put("backing-filename-format", img.h.backingFormat);
        }
        info.put("dirty-flag", img.h.dirty());
        try {
            var dirty = JsonNodeFactory.instance.arrayNode();
            Bitmaps.describeDirty(img, dirty);
            if (!dirty.isEmpty()) info.set("dirty-bitmaps", dirty); // core lifts it to the node's entry
        } catch (BlockException e) {
            // as for format-specific: never fail a query over a broken bitmap directory
        }
    }

    /** qemu's qcow2_strong_runtime_opts: only the encryption secret; cache sizes and the like are not. */
    @Override
    public boolean strongOption(String key) { return key.equals("encrypt") || key.startsWith("encrypt."); }

    @Override
    public void close() throws BlockException {
        flush();
        if (img.bitmaps != null && !img.readOnly) {
            img.lock.lock();
            try {
                img.bitmaps.store();
                img.bitmaps = null;
                img.flushMetadata();
            } finally {
                img.lock.unlock();
            }
            img.file.flush();
        }
    }
}
