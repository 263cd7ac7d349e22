package io.jsd.qcow2.internal;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.Assume;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.jsd.block.BlockNode;
import io.jsd.block.IoFlags;

/** Writes through JSD land in the image's enabled persistent bitmap, as qemu (qemu-nbd -B) reads it. */
public class BitmapTest {
    @Rule public TemporaryFolder tmp = new TemporaryFolder();

    @BeforeClass
    public static void peers() { Assume.assumeTrue("qemu-img missing", Harness.haveQemu()); }

    @Test
    public void writesAreTrackedInPersistentBitmaps() throws Exception {
        Path dir = tmp.getRoot().toPath();
        Path img = dir.resolve("img.qcow2");
        Harness.run("qemu-img", "create", "-q", "-f", "qcow2", img.toString(), "64M");
        Harness.run("qemu-img", "bitmap", "--add", "-g", "64k", img.toString(), "b0");
        Harness.run("qemu-img", "bitmap", "--add", "--disable", img.toString(), "off");
        long[][] writes = {{0, 512}, {5 << 20, 200_000}, {40 << 20, 1}, {63L << 20, 1 << 20}};
        try (Harness h = new Harness()) {
            BlockNode n = h.openQcow2(img, false);
            String during = Harness.run("qemu-img", "info", "-U", img.toString());
            assertTrue(during, during.contains("in-use"));
            n.write(writes[0][0], ByteBuffer.allocate((int) writes[0][1]), 0);
            n.write(writes[1][0], ByteBuffer.allocate((int) writes[1][1]), 0);
            n.writeZeroes(writes[2][0], writes[2][1], IoFlags.MAY_UNMAP);
            n.discard(writes[3][0], writes[3][1]);
        }
        String info = Harness.run("qemu-img", "info", img.toString());
        assertFalse(info, info.contains("in-use"));
        String check = Harness.run("qemu-img", "check", img.toString());
        assertTrue(check, check.contains("No errors were found"));
        List<long[]> dirty = dirtyRanges(img, dir);
        if (dirty == null) return; // no qemu-nbd/nbdinfo: the check above still ran
        System.err.println("dirty extents of b0: " + dirty.stream().map(d -> d[0] + "+" + d[1]).toList());
        for (long[] w : writes) {
            boolean covered = false;
            for (long[] d : dirty) covered |= d[0] <= w[0] && w[0] + w[1] <= d[0] + d[1];
            assertTrue("write at " + w[0] + " not in bitmap " + dirty.size(), covered);
        }
        long total = 0;
        for (long[] d : dirty) total += d[1];
        assertTrue("bitmap too dirty: " + total, total <= 4L << 20);
    }

    /** The dirty extents of b0 as qemu-nbd exports them, or null without the peers. */
    private static List<long[]> dirtyRanges(Path img, Path dir) throws Exception {
        if (Harness.runRc("sh", "-c", "command -v qemu-nbd && command -v nbdinfo") != 0) return null;
        Path sock = dir.resolve("nbd.sock");
        Process p = new ProcessBuilder("qemu-nbd", "-r", "-f", "qcow2", "-B", "b0", "-k", sock.toString(), "-t", img.toString())
                .redirectErrorStream(true).start();
        try {
            for (int i = 0; i < 100 && !sock.toFile().exists(); i++) Thread.sleep(50);
            String out = Harness.run("nbdinfo", "--map=qemu:dirty-bitmap:b0", "nbd+unix:///?socket=" + sock);
            List<long[]> r = new ArrayList<>();
            for (String line : out.split("\n")) {
                String[] f = line.trim().split("\\s+");
                if (f.length >= 3 && f[2].equals("1")) r.add(new long[] {Long.parseLong(f[0]), Long.parseLong(f[1])});
            }
            return r;
        } finally {
            p.destroy();
            if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) p.destroyForcibly();
        }
    }
}
