package io.jsd.qcow2.internal;

import java.nio.ByteBuffer;

import io.jsd.block.BlockException;
import io.jsd.block.IoFlags;

/** block_resize for qcow2: grows the L1 table when needed; shrinking drops the clusters past the end. */
final class Resize {
    private final Qcow2Image img;
    private final Qcow2Node node;

    Resize(Qcow2Image img, Qcow2Node node) {
        this.img = img;
        this.node = node;
    }

    void resize(long oldSize, long newSize) throws BlockException {
        if (newSize < 0) throw BlockException.invalid("Invalid size");
        if (newSize % 512 != 0) throw BlockException.invalid("The new size must be a multiple of 512");
        if (newSize == oldSize) return;
        if (newSize < oldSize && img.h.nbSnapshots > 0) {
            throw BlockException.unsupported("Can't shrink an image which has snapshots");
        }
        if (newSize < oldSize && img.h.hasDataFile() && img.h.dataFileRaw()) {
            throw BlockException.unsupported("Cannot shrink an image with a raw external data file");
        }
        img.lock.lock();
        try {
            if (newSize > oldSize) {
                long need = img.h.l1EntriesFor(newSize);
                if (need > img.l1.length) growL1(need);
            } else {
                long first = (newSize + img.cs - 1) >>> img.cb;
                long last = (oldSize + img.cs - 1) >>> img.cb;
                for (long gc = first; gc < last; gc++) dropCluster(gc);
            }
            if (img.data != img.file && newSize > oldSize && img.data.size() < newSize) img.data.truncate(newSize);
            img.flushMetadata();
            img.file.flush();
            img.writeHeaderLong(Header.OFF_SIZE, newSize);
            img.file.flush();
            img.h.size = newSize;
        } finally {
            img.lock.unlock();
        }
        if (newSize > oldSize) {
            // the new area reads as zeroes: neither what a shrink left in the last cluster nor
            // backing data past the old end may show through (qemu's bdrv_co_truncate does the same)
            long end = Math.min(newSize, (oldSize + img.cs - 1) & ~(long) (img.cs - 1));
            if (img.backing != null) end = Math.max(end, Math.min(newSize, img.backing.size()));
            if (end > oldSize) node.writeZeroes(oldSize, end - oldSize, IoFlags.MAY_UNMAP);
        }
    }

    private void dropCluster(long gc) throws BlockException {
        int l1i = (int) (gc >>> img.l2Bits), l2i = (int) (gc & (img.l2Entries() - 1));
        if (img.l2Table(l1i) == null) return;
        L2Cache.Table t = img.l2TableForWrite(l1i);
        int wi = img.ext ? 2 * l2i : l2i;
        long e = t.w[wi];
        boolean external = img.data != img.file;
        if ((e & Qcow2Image.COMPRESSED) != 0) {
            long desc = e & ~(Qcow2Image.COPIED | Qcow2Image.COMPRESSED);
            for (long c = Compressed.firstCluster(desc, img.cb); c <= Compressed.lastCluster(desc, img.cb); c++) {
                img.refcounts.freeLater(c);
            }
        } else if ((e & Qcow2Image.OFFSET_MASK) != 0 && !external) {
            img.refcounts.freeLater((e & Qcow2Image.OFFSET_MASK) >>> img.cb);
        }
        if (img.ext) L2Cache.setExtended(t, l2i, 0, 0);
        else t.w[wi] = 0;
        t.dirty = true;
    }

    private void growL1(long need) throws BlockException {
        long entries = Math.max(need, img.l1.length + img.l1.length / 2L);
        long bytes = (entries * 8 + img.cs - 1) & ~(long) (img.cs - 1);
        if (bytes > Header.MAX_L1_BYTES) {
            entries = need;
            bytes = (entries * 8 + img.cs - 1) & ~(long) (img.cs - 1);
            if (bytes > Header.MAX_L1_BYTES) throw BlockException.invalid("Active L1 table too large");
        }
        entries = bytes / 8;
        int clusters = (int) (bytes >>> img.cb);
        long start = img.refcounts.allocate(clusters);
        img.reserveRange(start, bytes, Overlaps.ACTIVE_L1);
        img.flushMetadata();
        long[] nl1 = java.util.Arrays.copyOf(img.l1, (int) entries);
        ByteBuffer b = ByteBuffer.allocate((int) bytes);
        for (long e : nl1) b.putLong(e);
        b.flip();
        img.checkMetadataWrite(Overlaps.ACTIVE_L1, start, bytes);
        img.file.write(start, b, 0);
        img.refcounts.writeDirtyBlocks();
        img.file.flush();
        ByteBuffer hb = ByteBuffer.allocate(12).putInt(0, (int) entries).putLong(4, start);
        img.file.write(Header.OFF_L1_SIZE, hb, 0);
        img.file.flush();
        long oldOff = img.h.l1TableOffset;
        long oldBytes = (long) img.h.l1Size * 8;
        img.h.l1TableOffset = start;
        img.h.l1Size = (int) entries;
        img.l1 = nl1;
        if (oldBytes > 0) {
            for (long c = oldOff >>> img.cb; c <= (oldOff + oldBytes - 1) >>> img.cb; c++) {
                img.unreserveMetadata(c);
                img.refcounts.freeLater(c);
            }
        }
    }
}
