package io.jsd.qcow2.internal;

import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.junit.Assume;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.jsd.block.BlockNode;
import io.jsd.block.IoFlags;

/**
 * qcow2 workloads on a disk with a volatile write cache ({@link VolatileCacheNode}), with the power
 * cut at many points and in every way a disk cache allows: each image left behind must pass the
 * real {@code qemu-img check} (leaks allowed, as qemu allows them) and hold, read by
 * {@code qemu-img convert}, every write completed before the last completed flush.
 *
 * <p>The workloads allocate (new L2 tables, new refcount blocks, a refcount table that moves,
 * image growth), overwrite, write zeroes with and without unmap, discard, overwrite compressed and
 * zero clusters, and grow the virtual disk, with tiny metadata caches so that tables are evicted
 * mid-run. {@code -Djsd.powerloss.cuts=N} sets the cuts per image kind.
 */
public class PowerLossTest {
    static final int BLOCK = 4096;

    @Rule public TemporaryFolder tmp = new TemporaryFolder();

    @BeforeClass
    public static void peers() { Assume.assumeTrue("qemu-img missing", Harness.haveQemu()); }

    /** Image kinds: qemu-img create options. */
    private static final String[][] KINDS = {
        {"c512", "cluster_size=512"},
        // default (large) caches: new L2 tables stay dirty until a flush writes them with their L1 entries
        {"c512-default-caches", "cluster_size=512", "default-caches"},
        // 64-bit refcounts: a 512-byte refcount table cluster covers 2 MiB, so the prefilled image
        // outgrows it and the table moves during the workload
        {"c512-refcount64", "cluster_size=512,refcount_bits=64", "", "1920k", "48"},
        {"c4k-refcount8", "cluster_size=4096,refcount_bits=8"},
        {"v2-c1k", "compat=0.10,cluster_size=1024"},
        {"extended-l2-c16k", "extended_l2=on,cluster_size=16384"},
        {"c64k", "cluster_size=65536"},
        // an internal snapshot shares every cluster and L2 table: writes copy them (refcount 2 -> 1)
        {"snapshot-c2k", "cluster_size=2048", "snapshot"},
    };

    private int totalCuts;
    /** One file operation in this many is a power cut (fewer for kinds whose point needs a long run). */
    private int cutEvery;
    private boolean defaultCaches;

    @Test
    public void everyPowerCutLeavesACheckedImageWithEveryFlushedWrite() throws Exception {
        int cuts = Integer.getInteger("jsd.powerloss.cuts", 30);
        long seed = Long.getLong("jsd.powerloss.seed", 20261204);
        String only = System.getProperty("jsd.powerloss.kind");
        for (String[] k : KINDS) {
            if (only != null && !only.equals(k[0])) continue;
            cutEvery = k.length > 4 ? Integer.parseInt(k[4]) : 8;
            defaultCaches = k.length > 2 && k[2].equals("default-caches");
            run(k[0], k[1], k.length > 2 && k[2].equals("snapshot"), k.length > 3 ? k[3] : null, cuts, seed ^ k[0].hashCode());
        }
        System.err.println("PowerLossTest: " + totalCuts + " power cuts checked");
    }

    /** What each 4 KiB guest block may hold: its value at the last flush, or any value written since. */
    private static final class Model {
        int[] current, flushed;
        List<Set<Integer>> later = new ArrayList<>();

        Model(int[] initial) {
            current = initial.clone();
            flushed = initial.clone();
            for (int i = 0; i < initial.length; i++) later.add(new HashSet<>());
        }

        void set(long block, long count, int value) {
            for (long b = block; b < block + count; b++) {
                current[(int) b] = value;
                later.get((int) b).add(value);
            }
        }

        void flushed() {
            flushed = current.clone();
            for (Set<Integer> s : later) s.clear();
        }

        void grow(int blocks) {
            int old = current.length;
            current = java.util.Arrays.copyOf(current, blocks);
            flushed = java.util.Arrays.copyOf(flushed, blocks);
            for (int i = old; i < blocks; i++) later.add(new HashSet<>());
        }
    }

    private void run(String kind, String createOpts, boolean snapshot, String prefill, int cuts, long seed) throws Exception {
        Path dir = tmp.newFolder(kind).toPath();
        Path img = dir.resolve("img.qcow2");
        long size = 4L << 20;
        Harness.run("qemu-img", "create", "-q", "-f", "qcow2", "-o", createOpts, img.toString(), Long.toString(size));
        int cs = clusterSize(createOpts);
        int unit = Math.max(cs, BLOCK);
        // compressed and zero clusters to overwrite, and some plain data
        List<String> io = new ArrayList<>(List.of("qemu-io", "-f", "qcow2"));
        List<Long> special = new ArrayList<>();
        for (int k = 0; k < 8; k++) {
            long off = ((long) k * 7 * unit + unit) % size;
            io.addAll(List.of("-c", "write -c -P " + (0x21 + k) + " " + off + " " + unit));
            special.add(off / BLOCK);
        }
        if (!createOpts.contains("compat=0.10")) {
            for (int k = 0; k < 8; k++) {
                long off = ((long) k * 11 * unit + 3 * unit) % size;
                io.addAll(List.of("-c", "write -P 0x33 " + off + " " + unit, "-c", "write -z " + off + " " + unit));
                special.add(off / BLOCK);
            }
        }
        if (prefill != null) io.addAll(List.of("-c", "write -P 0x45 1M " + prefill));
        io.addAll(List.of("-c", "write -P 0x44 " + (2L << 20) + " 256k"));
        io.add(img.toString());
        Harness.run(io.toArray(String[]::new));
        if (snapshot) Harness.run("qemu-img", "snapshot", "-c", "s1", img.toString());
        Model m = new Model(blockValues(readRaw(dir, img), kind, "initial image"));
        String before = layout(img);

        Path durable = dir.resolve("durable.qcow2");
        VolatileCacheNode[] disk = new VolatileCacheNode[1];
        Random r = new Random(seed);
        VolatileCacheNode.Cut[] modes = VolatileCacheNode.Cut.values();
        try (Harness h = new Harness()) {
            h.fileFilter = (file, node) -> disk[0] = new VolatileCacheNode(node, file, durable);
            var o = Harness.M.createObjectNode();
            o.put("driver", "qcow2");
            if (!defaultCaches) {
                o.put("l2-cache-size", 2L * cs * (createOpts.contains("extended_l2") ? 2 : 1));
                o.put("refcount-cache-size", 4L * cs);
            }
            o.putObject("file").put("driver", "file").put("filename", img.toString());
            BlockNode n = h.open(o, false);
                        int resizeAt = 10 + r.nextInt(60);
            int[] done = {0};
            int[] opNo = {0};
            long[] sizes = {size, size};
            disk[0].beforeEachOperation = what -> {
                if (r.nextInt(cutEvery) != 0 || done[0] >= cuts) return;
                VolatileCacheNode.Cut cut = modes[done[0] % modes.length];
                check(kind, dir, disk[0], cut, r, m, sizes[0], sizes[1], opNo[0] + " before " + what);
                done[0]++;
            };
            for (int i = 1; done[0] < cuts; i++) {
                opNo[0] = i;
                long blocks = size / BLOCK;
                int kindOfOp = r.nextInt(100);
                if (i == resizeAt) {
                    long oldSize = size;
                    size += 1L << 20;
                    sizes[0] = size;
                    sizes[1] = oldSize;
                    m.grow((int) (size / BLOCK));
                    n.truncate(size);
                    m.flushed(); // a resize is made stable before it completes
                } else if (kindOfOp < 50) {
                    long b = Math.floorMod(r.nextLong(), blocks);
                    long count = Math.min(1 + r.nextInt(3), blocks - b);
                    write(n, m, b, count, i);
                } else if (kindOfOp < 58) {
                    long b = Math.floorMod(r.nextLong(), blocks);
                    write(n, m, b, Math.min(8 + r.nextInt(32), blocks - b), i);
                } else if (kindOfOp < 64) {
                    long b = special.get(r.nextInt(special.size()));
                    write(n, m, b, 1, i);
                } else if (kindOfOp < 70 || kindOfOp < 76) {
                    long b = Math.floorMod(r.nextLong(), blocks);
                    long count = Math.min(1 + r.nextInt(16), blocks - b);
                    m.set(b, count, 0);
                    n.writeZeroes(b * BLOCK, count * BLOCK, kindOfOp < 70 ? IoFlags.MAY_UNMAP : 0);
                } else if (kindOfOp < 82) {
                    // whole clusters only, so that the result is zeroes for certain
                    long u = unit / BLOCK;
                    long b = Math.floorMod(r.nextLong(), blocks / u) * u;
                    long count = Math.min(u * (1 + r.nextInt(4)), blocks - b);
                    m.set(b, count, 0);
                    n.discard(b * BLOCK, count * BLOCK);
                } else if (kindOfOp < 90) {
                    n.flush();
                    m.flushed();
                } else {
                    long b = Math.floorMod(r.nextLong(), blocks);
                    write(n, m, b, 1, i);
                }
            }
            disk[0].beforeEachOperation = null;
            n.flush();
            m.flushed();
            check(kind, dir, disk[0], VolatileCacheNode.Cut.DROP_ALL, r, m, sizes[0], sizes[1], "end");
        }
        System.err.println("PowerLossTest " + kind + ": " + before + " -> " + layout(durable) + ", " + disk[0].flushes() + " flushes");
    }

    /** File size and where the L1 and refcount tables are (to see that the workload moved them). */
    private static String layout(Path img) throws Exception {
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(img.toFile(), "r")) {
            f.seek(36);
            int l1Size = f.readInt();
            long l1 = f.readLong();
            long rt = f.readLong();
            int rtClusters = f.readInt();
            return "file " + f.length() + " B, L1 " + l1Size + " entries at " + l1 + ", refcount table " + rtClusters
                    + " clusters at " + rt;
        }
    }

    private static int clusterSize(String createOpts) {
        for (String kv : createOpts.split(",")) if (kv.startsWith("cluster_size=")) return Integer.parseInt(kv.substring(13));
        return 65536;
    }

    private static void write(BlockNode n, Model m, long block, long count, int value) throws Exception {
        ByteBuffer b = ByteBuffer.allocate((int) (count * BLOCK));
        while (b.hasRemaining()) b.putInt(value);
        m.set(block, count, value);
        n.write(block * BLOCK, b.flip(), 0);
    }

    private static byte[] readRaw(Path dir, Path img) throws Exception {
        Path raw = dir.resolve("check.raw");
        Files.deleteIfExists(raw);
        Harness.run("qemu-img", "convert", "-f", "qcow2", "-O", "raw", img.toString(), raw.toString());
        byte[] b = Files.readAllBytes(raw);
        Files.delete(raw);
        return b;
    }

    /** The value of each block of an image whose blocks are uniform (a 4-byte pattern). */
    private static int[] blockValues(byte[] raw, String kind, String what) {
        int[] v = new int[raw.length / BLOCK];
        ByteBuffer b = ByteBuffer.wrap(raw);
        for (int i = 0; i < v.length; i++) {
            v[i] = b.getInt(i * BLOCK);
            for (int k = 0; k < BLOCK; k += 4) {
                if (b.getInt(i * BLOCK + k) != v[i]) fail(kind + ": " + what + ": block " + i + " is not uniform");
            }
        }
        return v;
    }

    private void check(String kind, Path dir, VolatileCacheNode disk, VolatileCacheNode.Cut cut, Random r, Model m,
                       long size, long oldSize, String op) throws Exception {
        Path crashed = dir.resolve("crashed.qcow2");
        int pending = disk.pendingChanges();
        disk.powerCut(crashed, cut, r);
        String where = kind + " op " + op + " cut " + cut + " (" + pending + " unflushed changes, " + disk.flushes() + " flushes)";
        Process c = new ProcessBuilder("qemu-img", "check", "-f", "qcow2", crashed.toString()).redirectErrorStream(true).start();
        String out = new String(c.getInputStream().readAllBytes());
        c.waitFor();
        if (c.exitValue() != 0 && c.exitValue() != 3) {
            Path keep = dir.resolve("failed.qcow2");
            Files.copy(crashed, keep);
            fail(where + ": qemu-img check exit " + c.exitValue() + " (image kept at " + keep + "):\n" + out);
        }
        byte[] raw = readRaw(dir, crashed);
        assertTrue(where + ": virtual size " + raw.length, raw.length == size || raw.length == oldSize);
        ByteBuffer b = ByteBuffer.wrap(raw);
        for (int blk = 0; blk < raw.length / BLOCK; blk++) {
            Set<Integer> ok = m.later.get(blk);
            for (int s = blk * BLOCK; s < (blk + 1) * BLOCK; s += VolatileCacheNode.SECTOR) {
                int v = b.getInt(s);
                boolean uniform = true;
                for (int k = 0; k < VolatileCacheNode.SECTOR; k += 4) uniform &= b.getInt(s + k) == v;
                if (!uniform || (v != m.flushed[blk] && !ok.contains(v))) {
                    Path keep = dir.resolve("failed.qcow2");
                    Files.copy(crashed, keep);
                    fail(where + ": block " + blk + " sector " + (s / 512) + " holds " + Integer.toHexString(v)
                            + (uniform ? "" : " (torn)") + ", flushed " + Integer.toHexString(m.flushed[blk]) + ", written since " + ok);
                }
            }
        }
        totalCuts++;
        Files.delete(crashed);
    }
}
