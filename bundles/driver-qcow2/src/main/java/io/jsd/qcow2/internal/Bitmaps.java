package io.jsd.qcow2.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import io.jsd.block.BlockException;

/**
 * Persistent dirty bitmaps (qcow2 "Bitmaps" section), kept consistent the way qemu does it: on a
 * writable open every enabled ("auto") bitmap is loaded and marked in_use on disk; writes set its
 * bits in memory; close stores it and clears in_use. Disabled bitmaps are left as they are.
 */
final class Bitmaps {
    static final int FLAG_IN_USE = 1, FLAG_AUTO = 2;
    /** Bound on one bitmap in memory (qemu's limit on a bitmap table is similar). */
    private static final long MAX_BITS = 1L << 33;

    private static final class Tracked {
        final int dirPos;
        final int flags;
        final long tableOffset;
        final long[] table;
        final int granBits;
        final long[] words;
        Tracked(int dirPos, int flags, long tableOffset, long[] table, int granBits, long bits) {
            this.dirPos = dirPos;
            this.flags = flags;
            this.tableOffset = tableOffset;
            this.table = table;
            this.granBits = granBits;
            this.words = new long[(int) ((bits + 63) >>> 6)];
        }
    }

    private final Qcow2Image img;
    private final List<Tracked> tracked = new ArrayList<>();

    private Bitmaps(Qcow2Image img) { this.img = img; }

    /** Loads the enabled bitmaps of a writable image and marks them in use; null when there are none. */
    static Bitmaps open(Qcow2Image img) throws BlockException {
        Header h = img.h;
        if (h.nbBitmaps <= 0 || (h.autoclear & Header.AUTOCLEAR_BITMAPS) == 0) return null;
        if (h.bitmapDirectorySize > (64L << 20) || h.bitmapDirectorySize < 24L * h.nbBitmaps
                || (h.bitmapDirectoryOffset & (img.cs - 1)) != 0
                || h.bitmapDirectoryOffset + h.bitmapDirectorySize > img.fileSize()) {
            throw BlockException.invalid("qcow2: invalid bitmap directory");
        }
        Bitmaps b = new Bitmaps(img);
        ByteBuffer d = ByteBuffer.allocate((int) h.bitmapDirectorySize);
        img.file.read(h.bitmapDirectoryOffset, d);
        for (Entry en : entries(d, h.nbBitmaps, true)) {
            if ((en.flags() & FLAG_AUTO) != 0 && (en.flags() & FLAG_IN_USE) == 0) {
                int granBits = en.granBits();
                if (granBits < 9 || granBits > 31) throw BlockException.invalid("qcow2: invalid bitmap granularity");
                long bits = (h.size + (1L << granBits) - 1) >>> granBits;
                long clustersNeeded = (bits + img.cs * 8L - 1) / (img.cs * 8L);
                long tableOff = en.tableOffset();
                if (bits > MAX_BITS || en.tableSize() != clustersNeeded || (tableOff & (img.cs - 1)) != 0
                        || tableOff + (long) en.tableSize() * 8 > img.fileSize()) {
                    throw BlockException.invalid("qcow2: invalid bitmap table");
                }
                Tracked t = new Tracked(en.pos(), en.flags(), tableOff, img.readTable(tableOff, en.tableSize()), granBits, bits);
                b.load(t);
                b.tracked.add(t);
            }
        }
        if (b.tracked.isEmpty()) return null;
        for (Tracked t : b.tracked) b.writeFlags(t, t.flags | FLAG_IN_USE);
        img.file.flush();
        return b;
    }

    private void load(Tracked t) throws BlockException {
        int wordsPerCluster = img.cs / 8;
        for (int i = 0; i < t.table.length; i++) {
            long e = t.table[i];
            long off = e & Qcow2Image.OFFSET_MASK;
            int w0 = i * wordsPerCluster;
            int n = Math.min(wordsPerCluster, t.words.length - w0);
            if (off != 0) {
                if (off + img.cs > img.fileSize()) throw BlockException.invalid("qcow2: bitmap data beyond the end of the image file");
                ByteBuffer c = ByteBuffer.allocate(img.cs).order(ByteOrder.LITTLE_ENDIAN);
                img.file.read(off, c);
                for (int k = 0; k < n; k++) t.words[w0 + k] = c.getLong(k * 8);
            } else if ((e & 1) != 0) {
                for (int k = 0; k < n; k++) t.words[w0 + k] = -1L;
            }
        }
    }

    /** Marks guest bytes [off, off+len) dirty in every tracked bitmap. */
    synchronized void mark(long off, long len) {
        if (len <= 0) return;
        for (Tracked t : tracked) {
            long first = off >>> t.granBits, last = (off + len - 1) >>> t.granBits;
            last = Math.min(last, (long) t.words.length * 64 - 1);
            for (long bit = first; bit <= last; bit++) t.words[(int) (bit >>> 6)] |= 1L << (bit & 63);
        }
    }

    /** Stores every tracked bitmap and clears in_use (on close). Caller holds the image lock. */
    synchronized void store() throws BlockException {
        int wordsPerCluster = img.cs / 8;
        for (Tracked t : tracked) {
            for (int i = 0; i < t.table.length; i++) {
                int w0 = i * wordsPerCluster;
                int n = Math.min(wordsPerCluster, t.words.length - w0);
                boolean zero = true;
                for (int k = 0; k < n && zero; k++) zero = t.words[w0 + k] == 0;
                long off = t.table[i] & Qcow2Image.OFFSET_MASK;
                if (zero) {
                    if (off != 0) img.refcounts.freeLater(off >>> img.cb);
                    t.table[i] = 0;
                    continue;
                }
                if (off == 0) off = img.refcounts.allocate(1);
                ByteBuffer c = ByteBuffer.allocate(img.cs).order(ByteOrder.LITTLE_ENDIAN);
                for (int k = 0; k < n; k++) c.putLong(k * 8, t.words[w0 + k]);
                img.file.write(off, c, 0);
                t.table[i] = off;
            }
            img.refcounts.writeDirtyBlocks();
            img.file.flush();
            ByteBuffer tb = ByteBuffer.allocate(t.table.length * 8);
            for (long e : t.table) tb.putLong(e);
            img.file.write(t.tableOffset, tb.flip(), 0);
            img.file.flush();
            writeFlags(t, t.flags & ~FLAG_IN_USE);
        }
        img.file.flush();
    }

    /** qemu's "bitmaps" list in format-specific: flags, name, granularity of each stored bitmap. */
    static void describe(Qcow2Image img, com.fasterxml.jackson.databind.node.ObjectNode data) throws BlockException {
        ByteBuffer d = directoryForQuery(img);
        if (d == null) return;
        var list = data.putArray("bitmaps");
        for (Entry en : entries(d, img.h.nbBitmaps, false)) {
            var b = list.addObject();
            var fl = b.putArray("flags");
            if ((en.flags() & FLAG_IN_USE) != 0) fl.add("in-use");
            if ((en.flags() & FLAG_AUTO) != 0) fl.add("auto");
            b.put("name", en.name());
            b.put("granularity", 1L << en.granBits());
        }
    }

    /**
     * qemu's "dirty-bitmaps" (BlockDirtyInfo) of the node, newest first as qemu lists them: the
     * dirty byte count comes from memory for a tracked bitmap and from its table on disk otherwise
     * (a bitmap another program left in use is inconsistent, as qemu shows it).
     */
    static void describeDirty(Qcow2Image img, com.fasterxml.jackson.databind.node.ArrayNode out) throws BlockException {
        ByteBuffer d = directoryForQuery(img);
        if (d == null) return;
        Bitmaps mine = img.bitmaps;
        for (Entry en : entries(d, img.h.nbBitmaps, false)) {
            if (en.granBits() > 62) return;
            Tracked t = null;
            if (mine != null) for (Tracked c : mine.tracked) if (c.dirPos == en.pos()) t = c;
            boolean inconsistent = t == null && (en.flags() & FLAG_IN_USE) != 0;
            long bits = inconsistent ? 0 : t != null ? mine.dirtyBits(t)
                    : storedDirtyBits(img, en.tableOffset(), en.tableSize(), en.granBits());
            var b = out.insertObject(0);
            b.put("name", en.name());
            b.put("recording", (en.flags() & FLAG_AUTO) != 0);
            b.put("persistent", true);
            b.put("busy", false);
            b.put("granularity", 1L << en.granBits());
            b.put("count", bits << en.granBits());
            if (inconsistent) b.put("inconsistent", true);
        }
    }

    /** The bitmap directory as a query reads it: null when there is none or it looks unreasonable. */
    private static ByteBuffer directoryForQuery(Qcow2Image img) throws BlockException {
        Header h = img.h;
        if (h.nbBitmaps <= 0 || (h.autoclear & Header.AUTOCLEAR_BITMAPS) == 0) return null;
        if (h.bitmapDirectorySize > (1L << 20) || h.bitmapDirectoryOffset + h.bitmapDirectorySize > img.fileSize()) return null;
        ByteBuffer d = ByteBuffer.allocate((int) h.bitmapDirectorySize);
        img.file.read(h.bitmapDirectoryOffset, d);
        return d;
    }

    /** One bitmap directory entry (qcow2.txt, "Bitmap directory"); {@code pos} is its offset in the directory. */
    private record Entry(int pos, long tableOffset, int tableSize, int flags, int granBits, String name) {}

    /**
     * The entries of the bitmap directory {@code d}. A malformed entry fails the open when
     * {@code strict}; otherwise the list ends before it (a query shows what it can).
     */
    private static List<Entry> entries(ByteBuffer d, int count, boolean strict) throws BlockException {
        List<Entry> out = new ArrayList<>();
        int pos = 0;
        for (int i = 0; i < count; i++) {
            if (pos + 24 > d.capacity()) {
                if (strict) throw BlockException.invalid("qcow2: bitmap directory truncated");
                break;
            }
            int nameSize = d.getShort(pos + 18) & 0xffff;
            int extra = d.getInt(pos + 20);
            if (extra < 0 || (strict && extra > 1024)) {
                if (strict) throw BlockException.invalid("qcow2: bitmap directory entry too large");
                break;
            }
            if (pos + 24L + extra + nameSize > d.capacity()) {
                if (strict) throw BlockException.invalid("qcow2: bitmap directory truncated");
                break;
            }
            byte[] name = new byte[nameSize];
            d.get(pos + 24 + extra, name);
            out.add(new Entry(pos, d.getLong(pos), d.getInt(pos + 8), d.getInt(pos + 12), d.get(pos + 17) & 0xff,
                    new String(name, java.nio.charset.StandardCharsets.UTF_8)));
            pos += (24 + extra + nameSize + 7) & ~7;
        }
        return out;
    }

    /** Set bits of a bitmap as stored on disk; a table that does not fit the image counts as empty. */
    private static long storedDirtyBits(Qcow2Image img, long tableOff, int tableSize, int granBits) throws BlockException {
        long bits = (img.h.size + (1L << granBits) - 1) >>> granBits;
        if (tableSize < 0 || bits > MAX_BITS || tableOff + (long) tableSize * 8 > img.fileSize()) return 0;
        long bitsPerCluster = img.cs * 8L, n = 0;
        long[] table = img.readTable(tableOff, tableSize);
        for (int i = 0; i < table.length; i++) {
            long inCluster = Math.min(bitsPerCluster, bits - i * bitsPerCluster);
            if (inCluster <= 0) break;
            long off = table[i] & Qcow2Image.OFFSET_MASK;
            if (off == 0) {
                if ((table[i] & 1) != 0) n += inCluster;
                continue;
            }
            if (off + img.cs > img.fileSize()) continue;
            ByteBuffer c = ByteBuffer.allocate(img.cs).order(ByteOrder.LITTLE_ENDIAN);
            img.file.read(off, c);
            for (long k = 0; k < inCluster; k += 64) {
                long w = c.getLong((int) (k >>> 3));
                if (inCluster - k < 64) w &= (1L << (inCluster - k)) - 1;
                n += Long.bitCount(w);
            }
        }
        return n;
    }

    private synchronized long dirtyBits(Tracked t) {
        long n = 0;
        for (long w : t.words) n += Long.bitCount(w);
        return n;
    }

    private void writeFlags(Tracked t, int flags) throws BlockException {
        img.file.write(img.h.bitmapDirectoryOffset + t.dirPos + 12, ByteBuffer.allocate(4).putInt(0, flags), 0);
    }
}
