package io.jsd.export.vhost.internal;

import static io.jsd.export.vhost.internal.TestFrontEnd.*;
import static io.jsd.export.vhost.internal.VirtioBlk.*;
import static org.junit.Assert.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.jsd.block.NodeHandle;
import io.jsd.driver.file.internal.FileDriver;
import io.jsd.export.Export;
import io.jsd.testkit.GraphHarness;

/**
 * Issue #5: a guest's punch-hole once failed with an I/O error on a 4-queue export. This hammers
 * the export over core's real graph and the real file driver with what such a guest sends at once
 * on several queues: WRITE_ZEROES with and without unmap, DISCARD, FLUSH and OUT, on ranges aligned
 * to 512 but not to 4 KiB (so they share filesystem blocks with the neighbouring queue's ranges).
 * Every request must succeed and the image must hold exactly what the model says.
 */
public class ConcurrentZeroesStressTest {
    static final int QUEUES = 4, SLOTS = 4, ROUNDS = 150;
    /** Each queue owns REGION bytes, starting at an odd sector so its edges split 4 KiB blocks. */
    static final long REGION = 256 << 10, DISK = QUEUES * REGION + (64 << 10);
    static final long BUF = GPA + 0x100000, STATUS = GPA + 0x3f0000, SLOT_BUF = 0x8000;
    static final int MAX_LEN = 16 << 10;

    @Rule public TemporaryFolder tmp = new TemporaryFolder();

    @Test public void bufferedDiscardIgnored() throws Exception { stress("", 1); }

    @Test public void bufferedDiscardUnmap() throws Exception { stress(",\"discard\":\"unmap\"", 2); }

    @Test public void directDiscardUnmap() throws Exception { stress(",\"discard\":\"unmap\",\"cache\":{\"direct\":true}", 3); }

    void stress(String opts, long seed) throws Exception {
        Path img = tmp.getRoot().toPath().resolve("disk.img");
        byte[] model = new byte[(int) DISK];
        new Random(seed).nextBytes(model);
        Files.write(img, model);
        Path sock = tmp.getRoot().toPath().resolve("vhost.sock");
        GraphHarness g = new GraphHarness().driver("file", new FileDriver());
        Export export = null;
        try {
            NodeHandle node = g.add("{\"driver\":\"file\",\"node-name\":\"file\",\"filename\":\"" + img + "\"" + opts + "}");
            String json = "{\"addr\":{\"type\":\"unix\",\"path\":\"" + sock + "\"},\"num-queues\":" + QUEUES + "}";
            export = new VhostBlkExportDriver().create(new TestContext(node, json, true));
            /** Sectors whose content a discard made unspecified (discard=ignore keeps the data). */
            boolean[] unknown = new boolean[(int) (DISK / 512)];
            boolean discardZeroes = opts.contains("unmap");
            try (TestFrontEnd fe = new TestFrontEnd(sock)) {
                fe.setUp(QUEUES, ~0L);
                ExecutorService pool = Executors.newFixedThreadPool(QUEUES);
                try {
                    List<Future<?>> runs = new ArrayList<>();
                    for (int q = 0; q < QUEUES; q++) {
                        int queue = q;
                        runs.add(pool.submit(() -> { runQueue(fe, queue, seed, model, unknown, discardZeroes); return null; }));
                    }
                    for (Future<?> f : runs) {
                        try {
                            f.get(60, TimeUnit.SECONDS);
                        } catch (ExecutionException e) {
                            if (e.getCause() instanceof AssertionError a) throw a;
                            throw e;
                        }
                    }
                } finally {
                    pool.shutdownNow();
                }
            }
            export.close(true);
            export = null;
            byte[] disk = Files.readAllBytes(img);
            for (int s = 0; s < unknown.length; s++) {
                if (unknown[s]) continue;
                int o = s * 512;
                if (!Arrays.equals(model, o, o + 512, disk, o, o + 512)) fail("sector " + s + " differs from the model" + opts);
            }
        } finally {
            if (export != null) export.close(true);
            g.clear();
        }
    }

    /** One queue: rounds of SLOTS concurrent requests on disjoint ranges of its own region. */
    static void runQueue(TestFrontEnd fe, int q, long seed, byte[] model, boolean[] unknown, boolean discardZeroes) throws Exception {
        Random rnd = new Random(seed * 31 + q);
        long regionStart = q * REGION + 512L * (2 * q + 1); // 512-aligned, never 4 KiB-aligned
        long slotSpan = REGION / SLOTS;
        for (int round = 0; round < ROUNDS; round++) {
            int[] types = new int[SLOTS];
            int before = fe.usedIdx(q);
            for (int s = 0; s < SLOTS; s++) {
                int kind = rnd.nextInt(10);
                int type = kind < 3 ? T_WRITE_ZEROES : kind < 5 ? T_OUT : kind < 7 ? T_DISCARD : kind < 8 ? T_FLUSH : -1;
                if (type == -1) type = T_WRITE_ZEROES; // twice as many zeroes with unmap below
                boolean unmap = kind == 8 || kind == 9 || (kind < 3 && rnd.nextBoolean());
                types[s] = type;
                long len = 512L * (1 + rnd.nextInt(MAX_LEN / 512));
                long off = regionStart + s * slotSpan + 512L * rnd.nextInt((int) ((slotSpan - len) / 512));
                int base = s * 4;
                long hdr = GPA + DATA + 0x100L * (q * 16 + base);
                long buf = BUF + (q * SLOTS + s) * SLOT_BUF;
                long status = STATUS + q * 16 + s;
                fe.at(status, 1).set(ValueLayout.JAVA_BYTE, 0, (byte) 0x7f);
                fe.header(hdr, type, off / 512);
                if (type == T_FLUSH) {
                    fe.desc(q, base, hdr, 16, 1, base + 2);
                } else if (type == T_OUT) {
                    byte[] data = new byte[(int) len];
                    rnd.nextBytes(data);
                    MemorySegment.copy(data, 0, fe.at(buf, len), ValueLayout.JAVA_BYTE, 0, (int) len);
                    fe.desc(q, base, hdr, 16, 1, base + 1);
                    fe.desc(q, base + 1, buf, (int) len, 1, base + 2);
                    synchronized (model) {
                        System.arraycopy(data, 0, model, (int) off, (int) len);
                        Arrays.fill(unknown, (int) (off / 512), (int) ((off + len) / 512), false);
                    }
                } else {
                    MemorySegment seg = fe.at(buf, 16);
                    seg.set(U64, 0, off / 512);
                    seg.set(U32, 8, (int) (len / 512));
                    seg.set(U32, 12, type == T_WRITE_ZEROES && unmap ? WRITE_ZEROES_FLAG_UNMAP : 0);
                    fe.desc(q, base, hdr, 16, 1, base + 1);
                    fe.desc(q, base + 1, buf, 16, 1, base + 2);
                    synchronized (model) {
                        if (type == T_WRITE_ZEROES || discardZeroes) {
                            Arrays.fill(model, (int) off, (int) (off + len), (byte) 0);
                            // a punched hole reads back as zeroes, but partial blocks of a discard are left alone
                            Arrays.fill(unknown, (int) (off / 512), (int) ((off + len) / 512), type == T_DISCARD);
                        } else {
                            Arrays.fill(unknown, (int) (off / 512), (int) ((off + len) / 512), true);
                        }
                    }
                }
                fe.desc(q, base + 2, status, 1, 2, 0);
            }
            for (int s = 0; s < SLOTS; s++) fe.submit(q, s * 4);
            fe.awaitUsed(q, (before + SLOTS) & 0xffff);
            for (int s = 0; s < SLOTS; s++) {
                byte st = fe.status(STATUS + q * 16 + s);
                assertEquals("queue " + q + " round " + round + " slot " + s + " type " + types[s], S_OK, st);
            }
        }
    }
}
