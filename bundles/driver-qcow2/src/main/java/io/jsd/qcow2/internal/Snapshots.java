package io.jsd.qcow2.internal;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import io.jsd.block.BlockException;

/** The internal snapshot table: JSD keeps snapshots intact, so it only needs where their L1 tables are. */
final class Snapshots {
    /** qemu's limit on the snapshot table (QCOW_MAX_SNAPSHOTS_SIZE). */
    static final long MAX_TABLE_BYTES = 64L << 20;

    record Entry(long l1Offset, int l1Size, String id, String name, long vmStateSize, long diskSize, long dateSec) {}

    private Snapshots() {}

    static List<Entry> read(Qcow2Image img) throws BlockException {
        List<Entry> out = new ArrayList<>();
        Header h = img.h;
        if (h.nbSnapshots == 0) return out;
        long pos = h.snapshotsOffset;
        long end = Math.min(img.fileSize(), h.snapshotsOffset + MAX_TABLE_BYTES);
        for (int i = 0; i < h.nbSnapshots; i++) {
            if (pos + 40 > end) throw BlockException.invalid("Snapshot table is beyond the end of the image file");
            ByteBuffer b = ByteBuffer.allocate(40);
            img.file.read(pos, b);
            long l1 = b.getLong(0);
            int l1Size = b.getInt(8);
            int idLen = b.getShort(12) & 0xffff, nameLen = b.getShort(14) & 0xffff;
            long dateSec = b.getInt(16) & 0xffffffffL;
            long vmState = b.getInt(32) & 0xffffffffL;
            long extra = b.getInt(36) & 0xffffffffL;
            if (extra > 1024) throw BlockException.invalid("Too much extra metadata in snapshot table entry " + i);
            long diskSize = h.size;
            if (extra >= 16) {
                ByteBuffer x = ByteBuffer.allocate(16);
                img.file.read(pos + 40, x);
                vmState = x.getLong(0);
                diskSize = x.getLong(8);
            }
            long len = 40 + extra + idLen + nameLen;
            if (pos + len > end) throw BlockException.invalid("Snapshot table is beyond the end of the image file");
            ByteBuffer s = ByteBuffer.allocate(idLen + nameLen);
            img.file.read(pos + 40 + extra, s);
            String id = new String(s.array(), 0, idLen, java.nio.charset.StandardCharsets.UTF_8);
            String name = new String(s.array(), idLen, nameLen, java.nio.charset.StandardCharsets.UTF_8);
            if (l1Size < 0 || (long) l1Size * 8 > Header.MAX_L1_BYTES) throw BlockException.invalid("Snapshot L1 table too large");
            if ((l1 & (img.cs - 1)) != 0 || l1 + (long) l1Size * 8 > img.fileSize()) {
                throw BlockException.invalid("Snapshot L1 table offset invalid");
            }
            out.add(new Entry(l1, l1Size, id, name, vmState, diskSize, dateSec));
            pos += (len + 7) & ~7L;
        }
        return out;
    }

    static long tableBytes(Qcow2Image img) throws BlockException {
        Header h = img.h;
        long pos = h.snapshotsOffset;
        for (int i = 0; i < h.nbSnapshots; i++) {
            ByteBuffer b = ByteBuffer.allocate(40);
            img.file.read(pos, b);
            long len = 40 + (b.getInt(36) & 0xffffffffL) + (b.getShort(12) & 0xffff) + (b.getShort(14) & 0xffff);
            pos += (len + 7) & ~7L;
        }
        return pos - h.snapshotsOffset;
    }
}
