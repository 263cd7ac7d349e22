package io.jsd.qcow2.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.jsd.block.BlockException;
import io.jsd.block.BlockNode;
import io.jsd.block.CreateContext;
import io.jsd.block.NodeHandle;
import io.jsd.options.OptionException;
import io.jsd.options.Options;

/**
 * blockdev-create for qcow2, the way qemu does it: write an empty image (header, one-cluster
 * refcount table, one refcount block, no L1), open it, and grow it to the requested size, then
 * preallocate if asked. The error messages are qemu's.
 */
final class Qcow2Create {
    private Qcow2Create() {}

    static void create(ObjectNode options, CreateContext ctx) throws BlockException {
        Options o = Options.of(options);
        String fileName = nodeName(o, "file", true);
        long size = o.size("size");
        String version = o.choice("version", "v3", "v2", "v3");
        long cs = o.size("cluster-size", 65536);
        String backingFile = o.optString("backing-file").orElse(null);
        String backingFmt = o.optString("backing-fmt").orElse(null);
        String dataName = nodeName(o, "data-file", false);
        boolean dataFileRaw = o.bool("data-file-raw", false);
        boolean extL2 = o.bool("extended-l2", false);
        String ctype = o.choice("compression-type", "zlib", "zlib", "zstd");
        boolean lazy = o.bool("lazy-refcounts", false);
        long rbits = o.integer("refcount-bits", 16);
        String prealloc = o.choice("preallocation", "off", "off", "metadata", "falloc", "full");
        Options enc = o.child("encrypt");
        LuksFormat luks = null;
        byte[] secret = null;
        if (enc != null) {
            if (enc.choice("format", null, "luks") == null) throw enc.missing("format"); // a QAPI union: required
            String secretId = enc.string("key-secret");
            luks = new LuksFormat(enc.string("cipher-alg", "aes-256"), enc.string("cipher-mode", "xts"),
                    enc.string("ivgen-alg", "plain64"), enc.string("ivgen-hash-alg", "sha256"),
                    enc.string("hash-alg", "sha256"), enc.integer("iter-time", 2000));
            enc.checkAllUsed();
            if (ctx.objects() == null) throw BlockException.invalid("No secret with id '" + secretId + "'");
            secret = ctx.objects().secret(secretId);
        }
        o.checkAllUsed();

        boolean v3 = version.equals("v3");
        if (size % 512 != 0) throw BlockException.invalid("Image size must be a multiple of 512 bytes");
        if (cs < 512 || cs > (2 << 20) || Long.bitCount(cs) != 1) {
            throw BlockException.invalid("Cluster size must be a power of two between 512 and 2048k");
        }
        if (rbits < 1 || rbits > 64 || Long.bitCount(rbits) != 1) {
            throw BlockException.invalid("Refcount width must be a power of two and may not exceed 64 bits");
        }
        if (!v3 && rbits != 16) {
            throw BlockException.invalid("Different refcount widths than 16 bits require compatibility level 1.1 or above (use version=v3 or greater)");
        }
        if (!v3 && lazy) {
            throw BlockException.invalid("Lazy refcounts only supported with compatibility level 1.1 and above (use version=v3 or greater)");
        }
        if (!v3 && extL2) throw BlockException.invalid("Extended L2 entries are only supported with compatibility level 1.1 and above (use version=v3 or greater)");
        if (extL2 && cs < 16384) throw BlockException.invalid("Extended L2 entries are only supported with cluster sizes of at least 16384 bytes");
        if (!v3 && ctype.equals("zstd")) {
            throw BlockException.invalid("Non-zlib compression type is only supported with compatibility level 1.1 and above (use version=v3 or greater)");
        }
        if (backingFmt != null && backingFile == null) throw BlockException.invalid("Backing format cannot be used without backing file");
        if (dataFileRaw && dataName == null) throw BlockException.invalid("'data-file-raw' requires 'data-file'");
        if (dataName != null && !v3) throw BlockException.invalid("Data files are only supported with compatibility level 1.1 and above (use version=v3 or greater)");
        if (dataFileRaw && backingFile != null) throw BlockException.invalid("Backing file and data-file-raw cannot be used at the same time");
        if (backingFile != null && !prealloc.equals("off") && !extL2) {
            throw BlockException.invalid("Backing file and preallocation can only be used at the same time if extended_l2 is on");
        }
        if (dataFileRaw && prealloc.equals("off")) prealloc = "metadata"; // the data file must be a complete raw image

        NodeHandle fh = ctx.graph().require(fileName);
        BlockNode file = fh.io();
        BlockNode data = file;
        String dataFileName = null;
        if (dataName != null) {
            NodeHandle dh = ctx.graph().require(dataName);
            data = dh.io();
            JsonNode fn = dh.options().get("filename");
            dataFileName = fn != null ? fn.asText() : dataName;
        }

        int cb = Long.numberOfTrailingZeros(cs);
        ByteBuffer h = ByteBuffer.allocate((int) cs);
        int headerLength = v3 ? 112 : 72;
        h.putInt(0, Header.MAGIC).putInt(4, v3 ? 3 : 2).putInt(20, cb);
        h.putLong(48, cs).putInt(56, 1);
        if (v3) {
            long incompat = (dataName != null ? Header.INCOMPAT_DATA_FILE : 0) | (extL2 ? Header.INCOMPAT_EXTL2 : 0)
                    | (ctype.equals("zstd") ? Header.INCOMPAT_COMPRESSION : 0);
            h.putLong(72, incompat).putLong(80, lazy ? Header.COMPAT_LAZY_REFCOUNTS : 0)
                    .putLong(88, dataFileRaw ? Header.AUTOCLEAR_DATA_FILE_RAW : 0)
                    .putInt(96, Long.numberOfTrailingZeros(rbits)).putInt(100, headerLength);
            h.put(104, (byte) (ctype.equals("zstd") ? 1 : 0));
        }
        if (luks != null) h.putInt(32, 2);
        int pos = headerLength;
        long luksOffset = 3 * cs;
        if (luks != null) pos = extension(h, pos, Header.EXT_CRYPTO,
                ByteBuffer.allocate(16).putLong(0, luksOffset).putLong(8, luks.length()).array());
        if (backingFmt != null) pos = extension(h, pos, Header.EXT_BACKING_FORMAT, backingFmt.getBytes(StandardCharsets.UTF_8));
        if (dataFileName != null) pos = extension(h, pos, Header.EXT_DATA_FILE, dataFileName.getBytes(StandardCharsets.UTF_8));
        pos = extension(h, pos, Header.EXT_END, new byte[0]);
        if (backingFile != null) {
            byte[] b = backingFile.getBytes(StandardCharsets.UTF_8);
            if (b.length > 1023 || pos + b.length > cs) throw BlockException.invalid("Backing file name too long");
            h.put(pos, b);
            h.putLong(8, pos).putInt(16, b.length);
        }
        // refcount table at cluster 1 pointing to the block at cluster 2, which counts clusters 0-2
        ByteBuffer rt = ByteBuffer.allocate((int) cs).putLong(0, 2 * cs);
        ByteBuffer rb = ByteBuffer.allocate((int) cs);
        file.truncate(0);
        file.truncate(3 * cs);
        file.write(0, h, 0);
        file.write(cs, rt, 0);
        file.write(2 * cs, rb, 0);
        ctx.progress(1, 3);

        Header hdr = Header.parse(readFirst(file, (int) cs), file.size());
        Qcow2Image img = new Qcow2Image(hdr, file, data, null, "#create", null, false);
        img.load(16, 16);
        img.lock.lock();
        try {
            for (int c = 0; c < 3; c++) img.refcounts.set(c, 1);
            if (luks != null) {
                long at = img.refcounts.allocate((int) ((luks.length() + cs - 1) / cs));
                if (at != luksOffset) throw BlockException.io("qcow2: unexpected LUKS header placement", null);
                file.write(at, ByteBuffer.wrap(luks.build(secret)), 0);
                img.crypto = new SectorCipher(luks.cipherMode, luks.masterKey);
            }
            img.flushMetadata();
        } catch (java.security.GeneralSecurityException e) {
            throw BlockException.unsupported("LUKS: " + e.getMessage());
        } finally {
            img.lock.unlock();
        }
        Qcow2Node node = new Qcow2Node(img, false);
        if (size > 0) node.truncate(size);
        ctx.progress(2, 3);
        if (!prealloc.equals("off")) preallocate(img, size, prealloc);
        node.flush();
        ctx.progress(3, 3);
    }

    private static String nodeName(Options o, String key, boolean required) {
        JsonNode v = o.raw(key);
        if (v == null || v.isNull()) {
            if (required) throw o.missing(key);
            return null;
        }
        if (!v.isTextual()) throw new OptionException("Parameter '" + key + "' must name an existing node");
        return v.asText();
    }

    private static ByteBuffer readFirst(BlockNode file, int cs) throws BlockException {
        ByteBuffer b = ByteBuffer.allocate(cs);
        file.read(0, b);
        return b.flip();
    }

    private static int extension(ByteBuffer h, int pos, int type, byte[] data) throws BlockException {
        int len = 8 + ((data.length + 7) & ~7);
        if (pos + len > h.capacity()) throw BlockException.invalid("qcow2 header extensions do not fit into the first cluster");
        h.putInt(pos, type).putInt(pos + 4, data.length);
        h.put(pos + 8, data);
        return pos + len;
    }

    /** preallocation=metadata|falloc|full: every guest cluster gets a host cluster (zeroes on disk). */
    private static void preallocate(Qcow2Image img, long size, String mode) throws BlockException {
        boolean external = img.data != img.file;
        long clusters = (size + img.cs - 1) >>> img.cb;
        for (long gc = 0; gc < clusters; gc++) {
            int l1i = (int) (gc >>> img.l2Bits), l2i = (int) (gc & (img.l2Entries() - 1));
            img.lock.lock();
            try {
                L2Cache.Table t = img.l2TableForWrite(l1i);
                long host = external ? gc << img.cb : img.refcounts.allocate(1);
                // encrypted zeroes on disk would decrypt to noise: mark the clusters zero (v3) instead
                boolean zero = img.crypto != null && img.h.version >= 3;
                if (img.ext) {
                    t.w[2 * l2i] = host | Qcow2Image.COPIED;
                    t.w[2 * l2i + 1] = zero ? 0xffffffffL << 32 : 0xffffffffL;
                } else {
                    t.w[l2i] = host | Qcow2Image.COPIED | (zero ? Qcow2Image.ZERO_FLAG : 0);
                }
                t.dirty = true;
                if (mode.equals("full") && !external) {
                    img.data.write(host, ByteBuffer.allocate(img.cs), 0);
                }
            } finally {
                img.lock.unlock();
            }
        }
        if (external && !mode.equals("metadata") && img.data.size() < size) img.data.truncate(size);
        if (mode.equals("full") && external) {
            for (long off = 0; off < size; off += 1 << 20) {
                img.data.write(off, ByteBuffer.allocate((int) Math.min(1 << 20, size - off)), 0);
            }
        }
        img.lock.lock();
        try {
            img.flushMetadata();
        } finally {
            img.lock.unlock();
        }
    }
}
