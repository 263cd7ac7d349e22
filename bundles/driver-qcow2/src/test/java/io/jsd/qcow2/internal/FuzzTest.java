package io.jsd.qcow2.internal;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.junit.Assume;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.jsd.block.BlockException;
import io.jsd.block.BlockNode;
import io.jsd.options.OptionException;

/**
 * Mutates headers and tables of real images and opens, reads and writes them: every failure must be
 * a BlockException (or an option error), within bounded time, never another exception or an OOM.
 */
public class FuzzTest {
    @Rule public TemporaryFolder tmp = new TemporaryFolder();

    @BeforeClass
    public static void peers() { Assume.assumeTrue("qemu-img missing", Harness.haveQemu()); }

    @Test
    public void mutatedImagesFailCleanly() throws Exception {
        String[] kinds = {"v3-64k", "zlib", "extended-l2", "snapshot", "cluster-512", "refcount-1"};
        ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor();
        try {
            for (String kind : kinds) {
                Path dir = tmp.newFolder(kind).toPath();
                Images.make(Images.all().get(kind), dir);
                byte[] orig = Files.readAllBytes(dir.resolve("img.qcow2"));
                Random r = new Random(kind.hashCode());
                for (int iter = 0; iter < 60; iter++) {
                    byte[] m = orig.clone();
                    int flips = 1 + r.nextInt(6);
                    for (int f = 0; f < flips; f++) {
                        // mostly the first clusters (header, L1, refcount table, first L2s), sometimes anywhere
                        int span = r.nextInt(4) == 0 ? m.length : Math.min(m.length, 1 << 18);
                        int at = r.nextInt(span);
                        if (r.nextBoolean()) m[at] = (byte) r.nextInt(256);
                        else m[at] ^= (byte) (1 << r.nextInt(8));
                    }
                    Path p = dir.resolve("fuzz.qcow2");
                    Files.write(p, m);
                    boolean write = r.nextBoolean();
                    Future<?> fut = ex.submit(() -> exercise(p, write, r.nextLong()));
                    try {
                        fut.get(20, TimeUnit.SECONDS);
                    } catch (TimeoutException t) {
                        fut.cancel(true);
                        throw new AssertionError(kind + " iteration " + iter + ": hang");
                    } catch (java.util.concurrent.ExecutionException e) {
                        throw new AssertionError(kind + " iteration " + iter + ": " + e.getCause(), e.getCause());
                    }
                }
            }
        } finally {
            ex.shutdownNow();
        }
    }

    private static Void exercise(Path p, boolean write, long seed) throws Exception {
        try (Harness h = new Harness()) {
            BlockNode n;
            try {
                n = h.openQcow2(p, !write);
            } catch (BlockException | OptionException e) {
                return null;
            }
            Random r = new Random(seed);
            long size = n.size();
            ByteBuffer b = ByteBuffer.allocate(256 << 10);
            for (long off = 0; off < Math.min(size, 64L << 20); off += b.capacity()) {
                b.clear();
                b.limit((int) Math.min(b.capacity(), size - off));
                try {
                    n.read(off, b);
                } catch (BlockException e) {
                    // EIO on that read is fine
                }
                if (write && size > 0 && r.nextInt(8) == 0) {
                    try {
                        long at = Math.floorMod(r.nextLong(), size);
                        n.write(at, ByteBuffer.allocate((int) Math.min(size - at, 70000)), 0);
                        n.flush();
                    } catch (BlockException e) {
                        // refused or EIO
                    }
                }
                try {
                    n.blockStatus(Math.min(off, size - 1), size - Math.min(off, size - 1));
                } catch (BlockException e) {
                    // fine
                }
            }
            try {
                h.close();
            } catch (BlockException e) {
                // flush of a broken image may fail
            }
        }
        return null;
    }
}
