package io.jsd.qcow2.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.Assume;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;

import io.jsd.block.BlockNode;
import io.jsd.block.IoFlags;

/**
 * JSD writes random patterns, zeroes and discards into an image of each kind; afterwards
 * "qemu-img check" finds no errors and no leaks and "qemu-img compare" matches the expected content.
 */
@RunWith(Parameterized.class)
public class WriteCompatTest extends ImageCases {
    public WriteCompatTest(String name, String script) { super(name, script); }

    @Test
    public void randomWorkload() throws Exception {
        Path dir = tmp.getRoot().toPath();
        byte[] model = makeImage(dir);
        Path img = dir.resolve("img.qcow2");
        Random r = new Random(name.hashCode() * 31L + 7);
        try (Harness h = new Harness()) {
            BlockNode n = h.openQcow2(img, false);
            Qcow2Image q = ((Qcow2Node) n).image();
            int cs = q.cs;
            boolean discardZeroes = q.h.version >= 3 || q.backing == null;
            for (int op = 0; op < 120; op++) {
                int kind = r.nextInt(10);
                int align = n.limits().requestAlignment(); // core aligns requests for the driver
                long off = r.nextInt(model.length) / align * align;
                int len = (int) Math.min(model.length - off, (1 + r.nextInt(r.nextBoolean() ? 5000 : 400_000)) / align * align + align);
                if (kind < 6) {
                    byte[] d = new byte[len];
                    r.nextBytes(d);
                    n.write(off, ByteBuffer.wrap(d), 0);
                    System.arraycopy(d, 0, model, (int) off, len);
                } else if (kind < 8) {
                    n.writeZeroes(off, len, kind == 6 ? IoFlags.MAY_UNMAP : 0);
                    java.util.Arrays.fill(model, (int) off, (int) (off + len), (byte) 0);
                } else if (kind == 8 && discardZeroes) {
                    n.discard(off, len);
                    long s = (off + cs - 1) / cs * cs;
                    long e = off + len >= model.length ? model.length : (off + len) / cs * cs;
                    if (s < e) java.util.Arrays.fill(model, (int) s, (int) e, (byte) 0);
                } else {
                    n.flush();
                }
            }
            byte[] got = new byte[model.length];
            n.read(0, ByteBuffer.wrap(got));
            assertArrayEquals(name + ": read after write", model, got);
        }
        checkWithQemu(name, dir, img, model, false);
        if (name.equals("data-file-raw")) {
            byte[] data = Files.readAllBytes(dir.resolve("img.data"));
            assertArrayEquals("the raw data file is the image", model, java.util.Arrays.copyOf(data, model.length));
        }
    }

    @Test
    public void resize() throws Exception {
        Assume.assumeTrue(!name.equals("bitmap") && !name.equals("snapshot") && !name.equals("data-file-raw"));
        Path dir = tmp.getRoot().toPath();
        byte[] model = makeImage(dir);
        Path img = dir.resolve("img.qcow2");
        try (Harness h = new Harness()) {
            BlockNode n = h.openQcow2(img, false);
            long small = 3_000_000 / 512 * 512, big = 40L << 20;
            n.truncate(small);
            n.truncate(big);
            byte[] tail = new byte[70_000 / 512 * 512];
            new Random(1).nextBytes(tail);
            n.write(big - tail.length, ByteBuffer.wrap(tail), 0);
            model = java.util.Arrays.copyOf(java.util.Arrays.copyOf(model, (int) small), (int) big);
            System.arraycopy(tail, 0, model, (int) big - tail.length, tail.length);
            byte[] got = new byte[model.length];
            n.read(0, ByteBuffer.wrap(got));
            assertArrayEquals(name + ": after shrink and grow", model, got);
        }
        checkWithQemu(name, dir, img, model, false);
    }

    @Test
    public void concurrentWriters() throws Exception {
        Assume.assumeTrue(java.util.Set.of("v3-64k", "extended-l2-backing", "snapshot", "cluster-512", "backing", "luks",
                "data-file", "zstd", "refcount-1", "v2").contains(name));
        Path dir = tmp.getRoot().toPath();
        byte[] model = makeImage(dir);
        Path img = dir.resolve("img.qcow2");
        try (Harness h = new Harness(); var ex = Executors.newVirtualThreadPerTaskExecutor()) {
            BlockNode n = h.openQcow2(img, false);
            List<Future<?>> fs = new ArrayList<>();
            int threads = 16, chunk = 3072; // chunks straddle clusters, so threads share clusters
            fs.add(ex.submit(() -> { // a reader racing with the writers must not fail
                byte[] b = new byte[1 << 20];
                for (int k = 0; k < 20; k++) n.read((long) k * 4096 % (model.length - b.length), ByteBuffer.wrap(b));
                return null;
            }));
            for (int t = 0; t < threads; t++) {
                int id = t;
                fs.add(ex.submit(() -> {
                    Random r = new Random(id);
                    for (int k = id; (long) (k + 1) * chunk <= model.length; k += threads) {
                        if (r.nextInt(3) == 0) continue;
                        byte[] d = new byte[chunk];
                        r.nextBytes(d);
                        n.write((long) k * chunk, ByteBuffer.wrap(d), 0);
                        synchronized (model) {
                            System.arraycopy(d, 0, model, k * chunk, chunk);
                        }
                        if (r.nextInt(50) == 0) n.flush();
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) f.get();
            byte[] got = new byte[model.length];
            n.read(0, ByteBuffer.wrap(got));
            assertArrayEquals(name + ": concurrent writes", model, got);
        }
        checkWithQemu(name, dir, img, model, false);
    }

    /** @param leaksAllowed JSD does not maintain persistent bitmaps: qemu then ignores them and counts their clusters as leaks */
    static void checkWithQemu(String name, Path dir, Path img, byte[] model, boolean leaksAllowed) throws Exception {
        Path expect = dir.resolve("expect.raw");
        Files.write(expect, model);
        ProcessBuilder pb = new ProcessBuilder(Images.cmd(new String[] {"qemu-img", "check"}, Images.qemuImage(name, img))).redirectErrorStream(true);
        Process p = pb.start();
        String check = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        // exit 0: clean; 3: leaks only; 2: corruption
        assertTrue(check, p.exitValue() == 0 || (leaksAllowed && p.exitValue() == 3));
        assertTrue(check, leaksAllowed || !check.contains("leaked"));
        String cmp = name.startsWith("luks")
                ? Harness.run(Images.cmd(new String[] {"qemu-img", "compare"}, Images.qemuImage(name, img), "driver=raw,file.filename=" + expect))
                : Harness.run("qemu-img", "compare", "-f", "qcow2", "-F", "raw", img.toString(), expect.toString());
        assertTrue(cmp, cmp.contains("Images are identical"));
        assertEquals(0, Harness.runRc(Images.cmd(new String[] {"qemu-img", "info"}, Images.qemuImage(name, img))));
    }
}
