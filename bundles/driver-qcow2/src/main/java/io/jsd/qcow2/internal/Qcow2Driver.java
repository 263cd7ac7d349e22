package io.jsd.qcow2.internal;

import java.nio.ByteBuffer;
import java.nio.file.Path;

import org.osgi.service.component.annotations.Component;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.jsd.block.BlockDriver;
import io.jsd.block.BlockDriverName;
import io.jsd.block.BlockException;
import io.jsd.block.BlockNode;
import io.jsd.block.ChildRole;
import io.jsd.block.CreateContext;
import io.jsd.block.OpenContext;
import io.jsd.options.OptionException;
import io.jsd.options.Options;

/** The qcow2 format driver (docs/interop/qcow2.txt). */
@Component
@BlockDriverName("qcow2")
public class Qcow2Driver implements BlockDriver {
    /** qemu's default upper bound for the L2 cache (DEFAULT_L2_CACHE_MAX_SIZE). */
    static final long DEFAULT_L2_CACHE_MAX = 32L << 20;

    @Override
    public BlockNode open(OpenContext ctx) throws BlockException {
        Options o = ctx.options();
        for (String k : new String[] {"pass-discard-snapshot", "pass-discard-other",
                "lazy-refcounts", "cache-clean-interval", "l2-cache-entry-size"}) {
            o.raw(k);
        }
        int overlapChecks = Overlaps.parse(o);
        boolean discardNoUnref = o.bool("discard-no-unref", false);
        boolean passDiscard = o.bool("pass-discard-request", ctx.discardUnmap());
        long cacheSize = o.integer("cache-size", -1);
        long l2CacheSize = o.integer("l2-cache-size", -1);
        long refcountCacheSize = o.integer("refcount-cache-size", -1);
        Options enc = o.child("encrypt");
        o.markUsed("file");
        o.markUsed("backing");
        o.markUsed("data-file");

        BlockNode file = ctx.openChild("file", ChildRole.PRIMARY, true);
        long fileSize = file.size();
        int first = (int) Math.min(fileSize, 2L << 20);
        ByteBuffer hb = ByteBuffer.allocate(first);
        if (first > 0) file.read(0, hb);
        hb.flip();
        Header h = Header.parse(first >= 104 ? hb.limit(Math.min(first, 1 << clusterBitsOf(hb))) : hb, fileSize);
        if (h.cryptMethod == 1) {
            throw BlockException.unsupported("Use of AES-CBC encrypted qcow2 images is no longer supported in system emulators");
        }
        byte[] secret = null;
        if (enc != null) {
            // BlockdevQcow2Encryption is a union: "format" is required, as QSD says
            String format = enc.choice("format", null, "aes", "luks");
            if (format == null) throw enc.missing("format");
            if (h.cryptMethod == 2 && !format.equals("luks")) throw BlockException.invalid("Header reported 'luks' encryption format but options specify '" + format + "'");
            String secretId = enc.string("key-secret");
            enc.checkAllUsed();
            if (h.cryptMethod == 2) secret = ctx.objects().secret(secretId);
        }
        if (h.cryptMethod == 2 && secret == null) {
            throw new OptionException("Parameter 'encrypt.key-secret' is required for cipher");
        }

        boolean readOnly = ctx.readOnly();
        if (h.corrupt() && !readOnly) {
            if (!ctx.autoReadOnly()) {
                throw new BlockException(BlockException.Kind.PERMISSION,
                        "qcow2: Image is corrupt; cannot be opened read/write");
            }
            readOnly = true;
        }

        BlockNode dataFile = file;
        if (h.hasDataFile()) {
            BlockNode d = ctx.openChild("data-file", ChildRole.DATA, false);
            if (d == null) {
                if (h.dataFile == null) throw BlockException.invalid("'data-file' is required for this image");
                ObjectNode opts = JsonNodeFactory.instance.objectNode();
                opts.put("driver", "file");
                opts.put("filename", h.dataFile);
                d = ctx.openChild("data-file", ChildRole.DATA, opts);
            }
            dataFile = d;
        } else if (o.has("data-file")) {
            throw new OptionException("'data-file' can only be set for images with an external data file");
        }

        BlockNode backing = openBacking(ctx, o, h);
        String backingPath = h.backingFile == null ? null : resolveBacking(o, h.backingFile);

        Qcow2Image img = new Qcow2Image(h, file, dataFile, backing, ctx.nodeName(), ctx.events(), readOnly, overlapChecks);
        long l2Tables = l1Coverage(h);
        long l2Bytes = Math.min(l2Tables * h.clusterSize(), DEFAULT_L2_CACHE_MAX);
        if (l2CacheSize >= 0) l2Bytes = l2CacheSize;
        long rcBytes = Math.max(4L * h.clusterSize(), l2Bytes / 4);
        if (refcountCacheSize >= 0) rcBytes = refcountCacheSize;
        if (cacheSize >= 0 && l2CacheSize < 0) {
            l2Bytes = cacheSize - (refcountCacheSize >= 0 ? refcountCacheSize : Math.min(cacheSize / 4, rcBytes));
            if (refcountCacheSize < 0) rcBytes = cacheSize - l2Bytes;
        }
        img.passDiscard = passDiscard && !readOnly;
        img.backingPath = backingPath;
        if (secret != null) img.crypto = Luks.unlock(img, h.cryptoHeaderOffset, h.cryptoHeaderLength, secret);
        img.load((int) Math.max(2, Math.min(Integer.MAX_VALUE, l2Bytes / h.clusterSize())),
                (int) Math.max(4, Math.min(Integer.MAX_VALUE, rcBytes / h.clusterSize())));
        if (!readOnly) prepareWritable(img);
        return new Qcow2Node(img, discardNoUnref);
    }

    private static int clusterBitsOf(ByteBuffer hb) {
        int cb = hb.getInt(20);
        return cb < Header.MIN_CLUSTER_BITS || cb > Header.MAX_CLUSTER_BITS ? 16 : cb;
    }

    private static long l1Coverage(Header h) {
        return Math.max(1, h.l1EntriesFor(h.size));
    }

    /** Writable open: repair refcounts left dirty, drop autoclear bits JSD does not maintain. */
    private static void prepareWritable(Qcow2Image img) throws BlockException {
        Header h = img.h;
        if (h.dirty()) {
            img.lock.lock();
            try {
                new RefcountRepair(img).repair();
                img.flushMetadata();
                img.file.flush();
            } finally {
                img.lock.unlock();
            }
            h.incompatible &= ~Header.INCOMPAT_DIRTY;
            img.writeHeaderLong(Header.OFF_INCOMPAT, h.incompatible);
            img.file.flush();
        }
        // enabled persistent bitmaps are tracked (marked in_use until close)
        img.bitmaps = Bitmaps.open(img);
        // drop autoclear bits JSD does not maintain, so qemu never trusts stale data
        long keep = Header.AUTOCLEAR_DATA_FILE_RAW | Header.AUTOCLEAR_BITMAPS;
        if (h.version >= 3 && (h.autoclear & ~keep) != 0) {
            h.autoclear &= keep;
            img.writeHeaderLong(Header.OFF_AUTOCLEAR, h.autoclear);
            img.file.flush();
        }
    }

    private static BlockNode openBacking(OpenContext ctx, Options o, Header h) throws BlockException {
        JsonNode b = o.json().get("backing");
        if (o.json().has("backing")) {
            if (b == null || b.isNull() || (b.isTextual() && b.asText().isEmpty())) return null; // backing=null / backing=
            return ctx.openChild("backing", ChildRole.COW, false);
        }
        if (h.backingFile == null) return null;
        if (h.dataFileRaw()) throw BlockException.invalid("data-file-raw cannot be used with a backing file");
        String path = resolveBacking(o, h.backingFile);
        String fmt = h.backingFormat != null ? h.backingFormat : probe(path);
        ObjectNode opts = JsonNodeFactory.instance.objectNode();
        opts.put("driver", fmt);
        ObjectNode f = opts.putObject("file");
        f.put("driver", "file");
        f.put("filename", path);
        return ctx.openChild("backing", ChildRole.COW, opts);
    }

    /** Relative backing names are relative to the directory of the image (qemu's bdrv_get_full_backing_filename). */
    static String resolveBacking(Options o, String name) {
        if (name.startsWith("/") || name.contains(":")) return name;
        JsonNode f = o.json().get("file");
        if (f != null && f.isObject() && f.has("filename")) {
            Path p = Path.of(f.get("filename").asText()).getParent();
            if (p != null) return p.resolve(name).toString();
        }
        return name;
    }

    private static String probe(String path) {
        try (var ch = java.nio.channels.FileChannel.open(Path.of(path))) {
            ByteBuffer b = ByteBuffer.allocate(4);
            ch.read(b, 0);
            return b.getInt(0) == Header.MAGIC ? "qcow2" : "raw";
        } catch (java.io.IOException e) {
            return "raw";
        }
    }

    @Override
    public void create(ObjectNode options, CreateContext ctx) throws BlockException {
        Qcow2Create.create(options, ctx);
    }

    @Override
    public io.jsd.options.OptionsSchema openSchema() { return Qcow2Schema.OPEN; }

    @Override
    public io.jsd.options.OptionsSchema createSchema() { return Qcow2Schema.CREATE; }
}
