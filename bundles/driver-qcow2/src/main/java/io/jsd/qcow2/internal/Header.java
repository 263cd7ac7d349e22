package io.jsd.qcow2.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import io.jsd.block.BlockException;

/**
 * The qcow2 header and its extensions (docs/interop/qcow2.txt "Header"), parsed and checked the way
 * qemu's qcow2_do_open checks them, so that a bad image fails here with a clear message instead of
 * somewhere deep in the I/O path.
 */
final class Header {
    static final int MAGIC = 0x514649fb;
    static final long INCOMPAT_DIRTY = 1, INCOMPAT_CORRUPT = 2, INCOMPAT_DATA_FILE = 4,
            INCOMPAT_COMPRESSION = 8, INCOMPAT_EXTL2 = 16, INCOMPAT_KNOWN = 31;
    static final long COMPAT_LAZY_REFCOUNTS = 1;
    static final long AUTOCLEAR_BITMAPS = 1, AUTOCLEAR_DATA_FILE_RAW = 2;
    static final int EXT_END = 0, EXT_BACKING_FORMAT = 0xe2792aca, EXT_FEATURE_TABLE = 0x6803f857,
            EXT_BITMAPS = 0x23852875, EXT_CRYPTO = 0x0537be77, EXT_DATA_FILE = 0x44415441;
    /** qemu's limits: L1 table at most 32 MiB, refcount table at most 8 MiB, clusters at most 2 MiB. */
    static final long MAX_L1_BYTES = 32L << 20, MAX_REFTABLE_BYTES = 8L << 20;
    static final int MIN_CLUSTER_BITS = 9, MAX_CLUSTER_BITS = 21;

    // header offsets of the fields JSD rewrites
    static final int OFF_SIZE = 24, OFF_L1_SIZE = 36, OFF_L1_OFFSET = 40, OFF_REFTABLE_OFFSET = 48,
            OFF_REFTABLE_CLUSTERS = 56, OFF_INCOMPAT = 72, OFF_COMPAT = 80, OFF_AUTOCLEAR = 88;

    int version;
    long backingFileOffset;
    int backingFileSize;
    int clusterBits;
    long size;
    int cryptMethod;
    int l1Size;
    long l1TableOffset;
    long refcountTableOffset;
    int refcountTableClusters;
    int nbSnapshots;
    long snapshotsOffset;
    long incompatible, compatible, autoclear;
    int refcountOrder = 4;
    int headerLength = 72;
    int compressionType;

    String backingFile;
    String backingFormat;
    String dataFile;
    long bitmapsExtOffset = -1;
    int nbBitmaps;
    long bitmapDirectorySize, bitmapDirectoryOffset;
    long cryptoHeaderOffset, cryptoHeaderLength;
    String unknownFeatures;

    int clusterSize() { return 1 << clusterBits; }
    boolean extendedL2() { return (incompatible & INCOMPAT_EXTL2) != 0; }
    boolean hasDataFile() { return (incompatible & INCOMPAT_DATA_FILE) != 0; }
    boolean dataFileRaw() { return (autoclear & AUTOCLEAR_DATA_FILE_RAW) != 0; }
    boolean dirty() { return (incompatible & INCOMPAT_DIRTY) != 0; }
    boolean corrupt() { return (incompatible & INCOMPAT_CORRUPT) != 0; }
    int refcountBits() { return 1 << refcountOrder; }
    int l2EntrySize() { return extendedL2() ? 16 : 8; }
    int l2Entries() { return clusterSize() / l2EntrySize(); }

    /** Parses the first cluster (or the whole file when shorter). */
    static Header parse(ByteBuffer b, long fileSize) throws BlockException {
        if (b.limit() < 72) throw bad("Image is not in qcow2 format");
        Header h = new Header();
        if (b.getInt(0) != MAGIC) throw bad("Image is not in qcow2 format");
        h.version = b.getInt(4);
        if (h.version < 2 || h.version > 3) throw BlockException.unsupported("Unsupported qcow2 version " + h.version);
        h.backingFileOffset = b.getLong(8);
        h.backingFileSize = b.getInt(16);
        h.clusterBits = b.getInt(20);
        h.size = b.getLong(24);
        h.cryptMethod = b.getInt(32);
        h.l1Size = b.getInt(36);
        h.l1TableOffset = b.getLong(40);
        h.refcountTableOffset = b.getLong(48);
        h.refcountTableClusters = b.getInt(56);
        h.nbSnapshots = b.getInt(60);
        h.snapshotsOffset = b.getLong(64);
        if (h.clusterBits < MIN_CLUSTER_BITS || h.clusterBits > MAX_CLUSTER_BITS) {
            throw bad("Unsupported cluster size: 2^" + h.clusterBits);
        }
        if (h.version == 3) {
            if (b.limit() < 104) throw bad("qcow2 header exceeds cluster size");
            h.incompatible = b.getLong(72);
            h.compatible = b.getLong(80);
            h.autoclear = b.getLong(88);
            h.refcountOrder = b.getInt(96);
            h.headerLength = b.getInt(100);
            if (h.headerLength < 104) throw bad("qcow2 header too short");
            if (h.headerLength > h.clusterSize() || h.headerLength > b.limit()) throw bad("qcow2 header exceeds cluster size");
            if (h.headerLength > 104) h.compressionType = b.get(104) & 0xff;
        }
        if (h.refcountOrder > 6 || h.refcountOrder < 0) throw bad("Reference count entry width too large; may not exceed 64 bits");
        if ((h.incompatible & INCOMPAT_COMPRESSION) != 0) {
            if (h.compressionType == 0) throw bad("Compression type incompatible feature bit must not be set with zlib");
        } else if (h.compressionType != 0) {
            throw bad("Compression type field is non-zero, but compression type incompatible feature bit is not set");
        }
        if (h.compressionType > 1) throw bad("Unknown compression type " + h.compressionType);
        if (h.extendedL2() && h.clusterBits < 14) throw bad("Extended L2 entries require a cluster size of at least 16 KiB");
        if (h.size < 0) throw bad("Image size is too large");
        if (h.cryptMethod > 2 || h.cryptMethod < 0) throw bad("Unsupported encryption method: " + h.cryptMethod);

        // header extensions
        int pos = h.headerLength;
        int limit = Math.min(b.limit(), h.backingFileOffset > 0 && h.backingFileOffset < b.limit()
                ? (int) h.backingFileOffset : b.limit());
        while (pos + 8 <= limit) {
            int type = b.getInt(pos);
            long len = Integer.toUnsignedLong(b.getInt(pos + 4));
            pos += 8;
            if (type == EXT_END) break;
            if (len > limit - pos) throw bad("Invalid header extension: extension too large");
            int at = pos;
            switch (type) {
                case EXT_BACKING_FORMAT -> h.backingFormat = string(b, at, (int) len);
                case EXT_DATA_FILE -> h.dataFile = string(b, at, (int) len);
                case EXT_FEATURE_TABLE -> h.unknownFeatures = featureNames(b, at, (int) len, h.incompatible & ~INCOMPAT_KNOWN);
                case EXT_BITMAPS -> {
                    if (len < 24) throw bad("bitmaps_ext: Invalid extension length");
                    h.bitmapsExtOffset = at;
                    h.nbBitmaps = b.getInt(at);
                    h.bitmapDirectorySize = b.getLong(at + 8);
                    h.bitmapDirectoryOffset = b.getLong(at + 16);
                }
                case EXT_CRYPTO -> {
                    if (len != 16) throw bad("Invalid crypto header extension size");
                    h.cryptoHeaderOffset = b.getLong(at);
                    h.cryptoHeaderLength = b.getLong(at + 8);
                }
                default -> { }
            }
            pos += (int) ((len + 7) & ~7L);
        }
        if ((h.incompatible & ~INCOMPAT_KNOWN) != 0) {
            throw BlockException.unsupported("Unsupported qcow2 feature(s): "
                    + (h.unknownFeatures != null ? h.unknownFeatures : "Unknown incompatible feature: "
                    + Long.toHexString(h.incompatible & ~INCOMPAT_KNOWN)));
        }
        if (h.backingFileOffset != 0) {
            if (h.backingFileSize > 1023 || h.backingFileSize < 0
                    || h.backingFileOffset > b.limit() - (long) h.backingFileSize) {
                throw bad("Backing file name too long");
            }
            h.backingFile = string(b, (int) h.backingFileOffset, h.backingFileSize);
        }
        if (h.dataFileRaw() && !h.hasDataFile()) throw bad("data-file-raw requires a data file");
        if (h.hasDataFile() && h.backingFile != null && h.dataFileRaw()) throw bad("data-file-raw cannot be used with a backing file");

        // table locations (qemu: validate_table_offset + size caps)
        int cs = h.clusterSize();
        long l1Bytes = (long) h.l1Size * 8;
        if (h.l1Size < 0 || l1Bytes > MAX_L1_BYTES) throw bad("Active L1 table too large");
        long needL1 = h.l1EntriesFor(h.size);
        if (needL1 > h.l1Size) throw bad("L1 table is too small");
        checkTable(h.l1TableOffset, l1Bytes, cs, fileSize, "Active L1 table");
        long rtBytes = (long) h.refcountTableClusters * cs;
        if (h.refcountTableClusters <= 0 || rtBytes > MAX_REFTABLE_BYTES) throw bad("Reference count table too large");
        checkTable(h.refcountTableOffset, rtBytes, cs, fileSize, "Reference count table");
        if (h.nbSnapshots < 0 || h.nbSnapshots > 65536) throw bad("Snapshot table too large");
        if (h.nbSnapshots > 0) checkTable(h.snapshotsOffset, (long) h.nbSnapshots * 40, cs, fileSize, "Snapshot table");
        return h;
    }

    /** L1 entries needed to map {@code size} bytes. */
    long l1EntriesFor(long bytes) {
        long perL1 = (long) l2Entries() << clusterBits;
        return (bytes + perL1 - 1) / perL1;
    }

    private static void checkTable(long offset, long bytes, int cs, long fileSize, String what) throws BlockException {
        if (bytes == 0) return;
        if ((offset & (cs - 1)) != 0 || offset <= 0) throw bad(what + " offset invalid");
        if (offset > fileSize || bytes > fileSize - offset) throw bad(what + " is beyond the end of the image file");
    }

    private static String featureNames(ByteBuffer b, int at, int len, long unknown) {
        StringBuilder sb = new StringBuilder();
        for (int p = at; p + 48 <= at + len; p += 48) {
            if (b.get(p) == 0 && (unknown & (1L << (b.get(p + 1) & 63))) != 0) {
                if (!sb.isEmpty()) sb.append(", ");
                sb.append(string(b, p + 2, 46).replace("\0", ""));
            }
        }
        return sb.isEmpty() ? null : sb.toString();
    }

    private static String string(ByteBuffer b, int at, int len) {
        byte[] a = new byte[len];
        b.get(at, a);
        return new String(a, StandardCharsets.UTF_8);
    }

    static BlockException bad(String msg) { return BlockException.invalid(msg); }
}
