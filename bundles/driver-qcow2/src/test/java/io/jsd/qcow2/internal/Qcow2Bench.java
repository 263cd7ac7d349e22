package io.jsd.qcow2.internal;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;

import org.junit.Assume;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.jsd.block.BlockNode;
import io.jsd.testkit.FileNode;

/**
 * In-process throughput of the driver against the same bytes as a raw file: 4k random reads and
 * writes from 16 virtual threads over a fully allocated image (page cache, so it measures the
 * driver's overhead). Run with {@code -Djsd.bench=true}; it prints and asserts nothing.
 */
public class Qcow2Bench {
    @Rule public TemporaryFolder tmp = new TemporaryFolder();

    static final long SIZE = 512L << 20;
    static final int THREADS = 16, BS = 4096;
    static final long MILLIS = Long.getLong("jsd.bench.millis", 3000);

    @Test
    public void randomIo() throws Exception {
        Assume.assumeTrue(Boolean.getBoolean("jsd.bench") && Harness.haveQemu());
        Path dir = tmp.getRoot().toPath();
        Path raw = dir.resolve("r.raw"), q = dir.resolve("q.qcow2");
        Harness.run("qemu-img", "create", "-q", "-f", "raw", raw.toString(), Long.toString(SIZE));
        Harness.run("qemu-io", "-f", "raw", "-c", "write -P 0x11 0 " + SIZE, raw.toString());
        Harness.run("qemu-img", "convert", "-O", "qcow2", raw.toString(), q.toString());
        try (Harness h = new Harness()) {
            BlockNode r = new FileNode(raw, false);
            BlockNode n = h.openQcow2(q, false);
            for (String mode : new String[] {"read", "write"}) {
                run("raw", r, mode); // warm-up
                run("qcow2", n, mode);
                double a = run("raw", r, mode), b = run("qcow2", n, mode);
                System.err.printf("4k random %s: raw %.0f IOPS, qcow2 %.0f IOPS (%.0f%%)%n", mode, a, b, 100 * b / a);
            }
            r.close();
        }
    }

    private static double run(String name, BlockNode node, String mode) throws Exception {
        LongAdder ops = new LongAdder();
        long end = System.nanoTime() + MILLIS * 1_000_000;
        long t0 = System.nanoTime();
        try (var ex = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                fs.add(ex.submit(() -> {
                    ByteBuffer b = ByteBuffer.allocateDirect(BS);
                    ThreadLocalRandom rnd = ThreadLocalRandom.current();
                    while (System.nanoTime() < end) {
                        long off = rnd.nextLong(SIZE / BS) * BS;
                        b.clear();
                        if (mode.equals("read")) node.read(off, b);
                        else node.write(off, b, 0);
                        ops.increment();
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) f.get();
        }
        return ops.sum() * 1e9 / (System.nanoTime() - t0);
    }
}
