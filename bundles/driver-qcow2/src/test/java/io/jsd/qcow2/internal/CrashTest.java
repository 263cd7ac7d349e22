package io.jsd.qcow2.internal;

import static org.junit.Assert.assertTrue;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.Assume;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The writer is killed with SIGKILL mid-workload, many times: qemu-img check never finds corruption
 * (leaks are allowed) and every write acknowledged before the last completed flush is there.
 */
public class CrashTest {
    @Rule public TemporaryFolder tmp = new TemporaryFolder();

    @BeforeClass
    public static void peers() { Assume.assumeTrue("qemu-img missing", Harness.haveQemu()); }

    @Test
    public void sigkillNeverCorrupts() throws Exception {
        String only = System.getProperty("jsd.crash.kind");
        String[] kinds = only != null ? new String[] {only} : new String[] {"v3-64k", "extended-l2-backing", "cluster-512", "snapshot", "v2", "luks"};
        Random r = new Random(Long.getLong("jsd.crash.seed", 4242));
        int roundsWanted = Integer.getInteger("jsd.crash.rounds", 8);
        int progressed = 0;
        for (int round = 0; round < roundsWanted; round++) {
            String kind = kinds[round % kinds.length];
            Path dir = tmp.newFolder("r" + round).toPath();
            Images.make(Images.all().get(kind), dir);
            Path img = dir.resolve("img.qcow2");
            Path raw = dir.resolve("before.raw");
            Harness.run(Images.cmd(new String[] {"qemu-img", "convert"}, Images.qemuImage(kind, img), "-O", "raw", raw.toString()));
            byte[] before = Files.readAllBytes(raw);
            Path log = dir.resolve("flushed.log");
            long seed = r.nextLong();
            String java = ProcessHandle.current().info().command().orElse("java");
            String opts = System.getProperty("jsd.qcow2.opts", "{}");
            Process p = new ProcessBuilder(java, "-Djsd.qcow2.opts=" + opts, "-cp", System.getProperty("java.class.path"), CrashWorker.class.getName(),
                    img.toString(), Long.toString(seed), log.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("worker.out").toFile()).start();
            try {
                // the kill lands at a random moment after the writer got going (its first flush is
                // logged), however long a loaded machine takes to start it
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (p.isAlive() && (!Files.exists(log) || Files.size(log) == 0) && System.nanoTime() < deadline) Thread.sleep(20);
                Thread.sleep(r.nextInt(1500));
            } finally {
                p.destroyForcibly(); // SIGKILL
                p.waitFor(20, TimeUnit.SECONDS);
            }
            String out = Files.readString(dir.resolve("worker.out"));
            assertTrue(kind + ": worker failed: " + out, !out.contains("Exception"));
            ProcessBuilder pb = new ProcessBuilder(Images.cmd(new String[] {"qemu-img", "check"}, Images.qemuImage(kind, img)))
                    .redirectErrorStream(true);
            Process c = pb.start();
            String check = new String(c.getInputStream().readAllBytes());
            c.waitFor();
            assertTrue(kind + " round " + round + ": " + check, c.exitValue() == 0 || c.exitValue() == 3);
            int flushed = verifyFlushed(kind, dir, img, before, seed, log.toFile());
            System.err.println("crash round " + round + " (" + kind + "): killed after " + flushed + " flushed ops");
            if (flushed > 0) progressed++;
        }
        assertTrue("the writer never got going", progressed >= roundsWanted / 2);
    }

    /** Every block holds the last flushed write to it or a later one (or, with none flushed, older content). */
    private static int verifyFlushed(String kind, Path dir, Path img, byte[] before, long seed, File log) throws Exception {
        List<String> lines = log.exists() ? Files.readAllLines(log.toPath()) : List.of();
        int flushed = lines.isEmpty() ? 0 : Integer.parseInt(lines.get(lines.size() - 1).trim());
        Path raw = dir.resolve("after.raw");
        Harness.run(Images.cmd(new String[] {"qemu-img", "convert"}, Images.qemuImage(kind, img), "-O", "raw", raw.toString()));
        byte[] after = Files.readAllBytes(raw);
        long blocks = after.length / CrashWorker.BLOCK;
        // replay: for each block the value after the last flushed op, and all values written later
        int[] lastFlushed = new int[(int) blocks];
        java.util.Arrays.fill(lastFlushed, -1); // -1: untouched by flushed ops
        java.util.Map<Long, java.util.Set<Integer>> later = new java.util.HashMap<>();
        Random r = new Random(seed);
        for (int i = 1; i <= flushed + 5000; i++) {
            long[] op = CrashWorker.op(r, blocks);
            int value = op[2] <= 1 ? 0 : i; // 0 means zeroes
            for (long b = op[0]; b < op[0] + op[1]; b++) {
                if (i <= flushed) lastFlushed[(int) b] = value;
                else later.computeIfAbsent(b, k -> new java.util.HashSet<>()).add(value);
            }
        }
        // a write still in flight when the process died may be torn: check each 512-byte sector
        int sector = 512;
        for (int b = 0; b < blocks; b++) {
            java.util.Set<Integer> ok = later.getOrDefault((long) b, java.util.Set.of());
            for (int sOff = b * CrashWorker.BLOCK; sOff < (b + 1) * CrashWorker.BLOCK; sOff += sector) {
                ByteBuffer got = ByteBuffer.wrap(after);
                int v = got.getInt(sOff);
                boolean uniform = true;
                for (int k = 0; k < sector; k += 4) uniform &= got.getInt(sOff + k) == v;
                boolean matches;
                if (lastFlushed[b] >= 0) {
                    matches = uniform && (v == lastFlushed[b] || ok.contains(v));
                } else {
                    boolean old = java.util.Arrays.equals(after, sOff, sOff + sector, before, sOff, sOff + sector);
                    matches = old || (uniform && ok.contains(v));
                }
                assertTrue(kind + ": block " + b + " sector " + (sOff / sector) + " holds " + v + ", last flushed "
                        + lastFlushed[b] + " (flushed op " + flushed + ", later " + ok + ")", matches);
            }
        }
        return flushed;
    }
}
