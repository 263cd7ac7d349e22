package io.jsd.export.vhost.internal;

import static org.junit.Assert.*;
import static org.junit.Assume.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.jsd.block.NodeHandle;
import io.jsd.driver.file.internal.FileDriver;
import io.jsd.export.Export;
import io.jsd.testkit.GraphHarness;
import io.jsd.testkit.guest.GuestImage;
import io.jsd.testkit.guest.QemuGuest;

/**
 * End to end with a real front-end: qemu-system-x86_64 (TCG) boots a Debian kernel with a
 * busybox initramfs whose only disk is a vhost-user-blk-pci device served by this export; the
 * guest writes (aligned, unaligned, O_DIRECT, two vCPUs at once), discards and reads back; the
 * host then checks the image byte for byte. Skipped when qemu, a kernel or busybox is missing.
 */
public class VhostGuestIT {
    static final long IMG = 64L << 20;
    static final long TIMEOUT_S = 60;

    @Rule public TemporaryFolder tmp = new TemporaryFolder();
    QemuGuest guest;
    Process qemu;
    Export export;
    /** The image served through core's real graph: the file driver under its normalising wrapper. */
    final GraphHarness graph = new GraphHarness().driver("file", new FileDriver());
    NodeHandle node;
    FileChannel image;

    @After
    public void tearDown() throws Exception {
        if (guest != null) guest.close();
        if (export != null) export.close(true);
        graph.clear();
        if (image != null) image.close();
    }

    static Optional<String> qemuBinary() { return QemuGuest.qemuBinary(); }

    byte[] p1 = random(1, 65536), p2 = random(2, 65536);

    static byte[] random(long seed, int n) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static String md5(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(b));
    }

    byte[] image(long off, int len) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(len);
        image.read(b, off);
        return b.array();
    }

    void open(Path img) throws Exception {
        node = graph.add("{\"driver\":\"file\",\"node-name\":\"disk\",\"filename\":\"" + img + "\"}");
        image = FileChannel.open(img, StandardOpenOption.READ);
    }

    Export startExport(Path sock, int queues) throws Exception {
        String json = "{\"addr\":{\"type\":\"unix\",\"path\":\"" + sock + "\"},\"num-queues\":" + queues + "}";
        return new VhostBlkExportDriver().create(new TestContext(node, json, true));
    }

    /** Boots the guest; returns the serial log path. */
    Path boot(GuestImage g, Path sock, int queues, String script, boolean reconnect) throws Exception {
        Path dir = tmp.getRoot().toPath();
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("p1", p1);
        files.put("p2", p2);
        guest = QemuGuest.boot(dir, sock, queues, 2, reconnect, g.initramfs(script, files));
        qemu = guest.process;
        return dir.resolve("serial.log");
    }

    String awaitDone(Path log) throws Exception {
        String out = guest.awaitDone(TIMEOUT_S, export instanceof VhostBlkExport v ? v.describe() : "");
        System.out.println(out); // the guest's console, for the test report
        return out;
    }

    static String read(Path p) throws IOException { return Files.exists(p) ? Files.readString(p, StandardCharsets.ISO_8859_1) : ""; }

    static final String SCRIPT = String.join("\n",
            "echo E2E-START",
            "dd if=/p1 of=/dev/vda bs=4096 seek=256 conv=fsync 2>/dev/null; echo \"E2E rc aligned $?\"",
            "dd if=/p2 of=/dev/vda bs=512 seek=4097 conv=fsync 2>/dev/null; echo \"E2E rc unaligned $?\"",
            "dd if=/p1 of=/dev/vda bs=65536 seek=64 oflag=direct 2>/dev/null; echo \"E2E rc direct $?\"",
            "taskset 1 dd if=/p1 of=/dev/vda bs=4096 seek=2048 oflag=direct 2>/dev/null & a=$!",
            "taskset 2 dd if=/p2 of=/dev/vda bs=4096 seek=3072 oflag=direct 2>/dev/null & b=$!",
            "wait $a; echo \"E2E rc cpu0 $?\"; wait $b; echo \"E2E rc cpu1 $?\"",
            "blkdiscard -o 16777216 -l 1048576 /dev/vda; echo \"E2E rc discard $?\"",
            "echo 3 > /proc/sys/vm/drop_caches",
            "echo \"E2E md5 aligned $(dd if=/dev/vda bs=4096 skip=256 count=16 2>/dev/null | md5sum)\"",
            "echo \"E2E md5 unaligned $(dd if=/dev/vda bs=512 skip=4097 count=128 iflag=direct 2>/dev/null | md5sum)\"",
            "echo \"E2E md5 cpu1 $(dd if=/dev/vda bs=65536 skip=192 count=1 iflag=direct 2>/dev/null | md5sum)\"",
            "echo \"E2E queues $(ls /sys/block/vda/mq | wc -l) wc=$(cat /sys/block/vda/queue/write_cache) dmax=$(cat /sys/block/vda/queue/discard_max_bytes)\"");

    void runGuest(int queues) throws Exception {
        Optional<GuestImage> g = GuestImage.find();
        assumeTrue("qemu-system-x86_64 missing", qemuBinary().isPresent());
        assumeTrue("no kernel with modules or no busybox", g.isPresent());
        Path img = tmp.getRoot().toPath().resolve("disk.raw");
        Files.write(img, random(3, (int) IMG));
        open(img);
        Path sock = tmp.getRoot().toPath().resolve("vhost.sock");
        export = startExport(sock, queues);
        Path log = boot(g.get(), sock, queues, SCRIPT, false);
        String out = awaitDone(log);
        Matcher rc = Pattern.compile("E2E rc (\\S+) (\\d+)").matcher(out);
        int n = 0;
        while (rc.find()) {
            assertEquals("guest step " + rc.group(1) + " failed:\n" + out, "0", rc.group(2));
            n++;
        }
        assertEquals("guest steps:\n" + out, 6, n);
        assertTrue(out, out.contains("E2E md5 aligned " + md5(p1)));
        assertTrue(out, out.contains("E2E md5 unaligned " + md5(p2)));
        assertTrue(out, out.contains("E2E md5 cpu1 " + md5(p2)));
        assertTrue(out, out.contains("queues " + Math.min(queues, 2) + " wc=write through dmax=16777216"));
        export.close(true);
        export = null;
        assertArrayEquals(p1, image(1 << 20, 65536));
        assertArrayEquals(p2, image((2 << 20) + 512, 65536));
        assertArrayEquals(p1, image(4 << 20, 65536));
        assertArrayEquals(p1, image(8 << 20, 65536));
        assertArrayEquals(p2, image(12 << 20, 65536));
        // untouched neighbours keep the initial content
        byte[] initial = random(3, (int) IMG);
        assertArrayEquals(java.util.Arrays.copyOfRange(initial, (1 << 20) - 4096, 1 << 20), image((1 << 20) - 4096, 4096));
        assertArrayEquals(java.util.Arrays.copyOfRange(initial, (2 << 20), (2 << 20) + 512), image(2 << 20, 512));
    }

    /** A DemoServer in a child JVM, so it can be killed like a crashing daemon. */
    Process startChild(Path img, Path sock) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // Writes held 30 ms in the server: a kill then almost always finds requests in flight.
        return new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-Djsd.demo.write-delay-ms=30",
                "-cp", System.getProperty("java.class.path"),
                DemoServer.class.getName(), img.toString(), "raw", sock.toString(), "2")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(tmp.getRoot().toPath().resolve("server.log").toFile()))
                .start();
    }

    /**
     * The daemon is SIGKILLed twice while the guest writes: QEMU reconnects to the new one and hands
     * back the inflight memfd, and the new daemon resubmits what was in flight. The guest sees no
     * error and every write is in the image.
     */
    @Test
    public void daemonKilledWhileTheGuestWritesLosesNothing() throws Exception {
        Optional<GuestImage> g = GuestImage.find();
        assumeTrue("qemu-system-x86_64 missing", qemuBinary().isPresent());
        assumeTrue("no kernel with modules or no busybox", g.isPresent());
        Path img = tmp.getRoot().toPath().resolve("disk.raw");
        Files.write(img, new byte[(int) IMG]);
        Path sock = tmp.getRoot().toPath().resolve("vhost.sock");
        Process server = startChild(img, sock);
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
            while (!Files.exists(sock)) {
                assertTrue("server did not start", System.nanoTime() < deadline && server.isAlive());
                Thread.sleep(20);
            }
            String script = String.join("\n",
                    "echo E2E-START",
                    "fails=0",
                    "for r in $(seq 1 8); do for i in $(seq 1 40); do dd if=/p1 of=/dev/vda bs=65536 seek=$i oflag=direct 2>/dev/null || fails=$((fails+1)); done; echo \"E2E round $r\"; done",
                    "echo \"E2E fails $fails\"");
            Path log = boot(g.get(), sock, 2, script, true);
            while (!read(log).contains("E2E-START")) {
                assertTrue("guest did not start:\n" + read(log), System.nanoTime() < deadline && qemu.isAlive());
                Thread.sleep(50);
            }
            for (int r = 0; r < 2; r++) {
                Thread.sleep(1500); // well after QEMU's handshake: it gives up when one is cut short
                assertFalse("the guest finished before kill " + r + ": make it write longer", read(log).contains("E2E fails"));
                server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                Files.deleteIfExists(sock);
                Thread.sleep(300);
                server = startChild(img, sock);
            }
            String out = awaitDone(log);
            System.out.println(read(tmp.getRoot().toPath().resolve("server.log"))); // shows the resubmissions
            assertTrue(out, out.contains("E2E fails 0"));
        } finally {
            server.destroy();
            if (!server.waitFor(10, TimeUnit.SECONDS)) server.destroyForcibly();
        }
        try (FileChannel ch = FileChannel.open(img, StandardOpenOption.READ)) {
            for (int i = 1; i <= 40; i++) {
                ByteBuffer b = ByteBuffer.allocate(65536);
                ch.read(b, i * 65536L);
                assertArrayEquals("block " + i, p1, b.array());
            }
        }
    }

    void awaitRings(int n, long deadline) throws InterruptedException {
        while (((VhostBlkExport) export).runningRings() < n) {
            assertTrue("the front-end did not start its rings", System.nanoTime() < deadline && qemu.isAlive());
            Thread.sleep(20);
        }
    }

    @Test
    public void oneQueue() throws Exception { runGuest(1); }

    @Test
    public void fourQueues() throws Exception { runGuest(4); }

    /** The export goes away and comes back while the guest writes: no I/O error, nothing lost. */
    @Test
    public void backEndRestartWhileTheGuestWrites() throws Exception {
        Optional<GuestImage> g = GuestImage.find();
        assumeTrue("qemu-system-x86_64 missing", qemuBinary().isPresent());
        assumeTrue("no kernel with modules or no busybox", g.isPresent());
        Path img = tmp.getRoot().toPath().resolve("disk.raw");
        Files.write(img, new byte[(int) IMG]);
        open(img);
        Path sock = tmp.getRoot().toPath().resolve("vhost.sock");
        export = startExport(sock, 2);
        String script = String.join("\n",
                "echo E2E-START",
                "fails=0",
                "for r in $(seq 1 16); do for i in $(seq 1 40); do dd if=/p1 of=/dev/vda bs=65536 seek=$i oflag=direct 2>/dev/null || fails=$((fails+1)); done; echo \"E2E round $r\"; done",
                "echo \"E2E fails $fails\"");
        Path log = boot(g.get(), sock, 2, script, true);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
        while (!read(log).contains("E2E-START")) {
            assertTrue("guest did not start:\n" + read(log), System.nanoTime() < deadline && qemu.isAlive());
            Thread.sleep(50);
        }
        // Restart only once QEMU has finished setting the device up again: QEMU 10 gives up
        // reconnecting when the back-end vanishes in the middle of its handshake.
        for (int r = 0; r < 2; r++) {
            awaitRings(2, deadline);
            Thread.sleep(300);
            assertFalse("the guest finished before restart " + r + ": make it write longer", read(log).contains("E2E fails"));
            export.close(true);
            Thread.sleep(300);
            export = startExport(sock, 2);
        }
        awaitRings(2, deadline); // QEMU came back to the last one too
        String out = awaitDone(log);
        assertTrue(out, out.contains("E2E fails 0"));
        export.close(true);
        export = null;
        for (int i = 1; i <= 40; i++) assertArrayEquals("block " + i, p1, image(i * 65536L, 65536));
    }
}
