package io.jsd.export.vhost.internal;

import static io.jsd.export.vhost.internal.VhostUser.*;
import static org.junit.Assert.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.jsd.export.Export;
import io.jsd.testkit.FileNode;

/**
 * A front-end that sends what no QEMU would: many file descriptors with every message, huge
 * inflight geometries. The back-end closes every fd a message does not use and bounds what a
 * peer's numbers make it allocate.
 */
public class HostileFrontEndTest {
    static final long DISK = 1 << 20;

    @Rule public TemporaryFolder tmp = new TemporaryFolder();
    Path sock;
    FileNode file;
    SlowNode node;
    Export export;

    @Before
    public void setUp() throws Exception {
        sock = tmp.getRoot().toPath().resolve("vhost.sock");
        file = FileNode.create(tmp.getRoot().toPath().resolve("disk.img"), DISK);
        node = new SlowNode(file, 0);
        export = TestContext.vhostBlk(sock, node, 2, true);
    }

    @After
    public void tearDown() throws Exception {
        if (export != null) export.close(true);
        file.close();
    }

    static int openFds() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return (int) s.count();
        }
    }

    static void await(String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(5);
        }
    }

    static int fdsNow() {
        try {
            return openFds();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code n} eventfds to send (the test closes its own copies afterwards). */
    static int[] eventfds(int n) throws IOException {
        int[] fds = new int[n];
        for (int i = 0; i < n; i++) fds[i] = Native.eventfd();
        return fds;
    }

    /** Sends {@code request} with {@code fds} and expects the back-end to hang up. */
    static void expectHangUp(TestFrontEnd fe, int request, byte[] payload, int... fds) throws Exception {
        fe.send(request, FLAG_NEED_REPLY, payload, fds);
        try {
            fe.reply(request);
            fail(VhostUser.name(request) + " with " + fds.length + " fds was answered");
        } catch (java.io.EOFException | java.net.SocketException expected) {
            // the connection is closed
        }
    }

    @Test
    public void fdsAMessageDoesNotUseAreClosed() throws Exception {
        int[] mine = eventfds(VhostUser.MAX_FDS);
        try (TestFrontEnd fe = new TestFrontEnd(sock)) {
            fe.get(GET_FEATURES); // the connection is up and its fixed fds are open
            int base = openFds();
            for (int round = 0; round < 200; round++) {
                // requests that take no fd, each carrying the most a message may carry
                fe.send(GET_FEATURES, 0, new byte[0], mine);
                fe.reply(GET_FEATURES);
                fe.send(GET_QUEUE_NUM, 0, new byte[0], mine);
                fe.reply(GET_QUEUE_NUM);
            }
            // the back-end closes a message's fds right after its reply: wait for the last ones
            await("the back-end to close the fds it received", () -> fdsNow() <= base);
            assertEquals(base, openFds());
        } finally {
            for (int fd : mine) Native.close(fd);
        }
    }

    @Test
    public void moreFdsThanAMessageMayCarryEndTheConnectionAndLeaveNoneOpen() throws Exception {
        int[] mine = eventfds(250);
        try {
            int base = openFds();
            for (int round = 0; round < 20; round++) {
                try (TestFrontEnd fe = new TestFrontEnd(sock)) {
                    fe.get(GET_FEATURES);
                    expectHangUp(fe, GET_FEATURES, new byte[0], java.util.Arrays.copyOf(mine, round % 2 == 0 ? 250 : VhostUser.MAX_FDS + 1));
                }
                // the back-end is done with that front-end before it accepts the next
                try (TestFrontEnd fe = new TestFrontEnd(sock)) {
                    assertEquals(2, fe.get(GET_QUEUE_NUM));
                }
            }
            await("the back-end to close what it received", () -> fdsNow() <= base);
        } finally {
            for (int fd : mine) Native.close(fd);
        }
    }

    static byte[] inflight(int numQueues, int queueSize) {
        return java.nio.ByteBuffer.allocate(24).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .putLong(0).putLong(0).putShort((short) numQueues).putShort((short) queueSize).array();
    }

    @Test
    public void inflightRegionsAreBoundedByTheDevice() throws Exception {
        for (int[] bad : new int[][] {{65535, 32768}, {3, 128}, {0, 128}, {2, 0}, {2, 65535}}) {
            try (TestFrontEnd fe = new TestFrontEnd(sock)) {
                fe.get(GET_FEATURES);
                expectHangUp(fe, GET_INFLIGHT_FD, inflight(bad[0], bad[1]));
            }
        }
        try (TestFrontEnd fe = new TestFrontEnd(sock)) {
            fe.get(GET_FEATURES); // accepted: the back-end's socket is open before counting
            int base = openFds();
            for (int i = 0; i < 100; i++) {
                fe.send(GET_INFLIGHT_FD, 0, inflight(2, 256));
                java.nio.ByteBuffer r = fe.reply(GET_INFLIGHT_FD);
                assertEquals(2 * InflightQueue.regionSize(256), r.getLong(0));
                Native.close(fe.receivedFd());
            }
            await("nothing kept per request", () -> fdsNow() <= base);
        }
    }

    static final long BUF = TestFrontEnd.GPA + 0x100000, STATUS = TestFrontEnd.GPA + 0x3f0000;
    static final int DESC_NEXT = 1, DESC_WRITE = 2, DESC_INDIRECT = 4;
    static final int T_IN = 0, T_OUT = 1;

    /** A write of {@code n} 512-byte buffers through one indirect table: header, n data, status. */
    static void indirectWrite(TestFrontEnd fe, int n) {
        long table = BUF + 0x100000, hdr = TestFrontEnd.GPA + TestFrontEnd.DATA;
        fe.header(hdr, T_OUT, 0);
        java.lang.foreign.MemorySegment t = fe.at(table, 16L * (n + 2));
        for (int i = 0; i < n + 2; i++) {
            long addr = i == 0 ? hdr : i == n + 1 ? STATUS : BUF + 512L * (i - 1);
            int len = i == 0 ? 16 : i == n + 1 ? 1 : 512;
            int flags = i == n + 1 ? DESC_WRITE : DESC_NEXT;
            t.set(TestFrontEnd.U64, 16L * i, addr);
            t.set(TestFrontEnd.U32, 16L * i + 8, len);
            t.set(TestFrontEnd.U16, 16L * i + 12, (short) flags);
            t.set(TestFrontEnd.U16, 16L * i + 14, (short) (i + 1));
        }
        fe.at(STATUS, 1).set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0, (byte) 0x7f);
        fe.desc(0, 0, table, 16 * (n + 2), DESC_INDIRECT, 0);
    }

    @Test
    public void chainsWithMoreThan1024BuffersDropTheConnection() throws Exception {
        try (TestFrontEnd fe = new TestFrontEnd(sock)) {
            fe.setUp(1, ~0L);
            indirectWrite(fe, 1000); // 1002 buffers: fine
            fe.submit(0, 0);
            fe.awaitUsed(0, 1);
            assertEquals(0, fe.status(STATUS));
            indirectWrite(fe, 1100);
            fe.submit(0, 0);
            try {
                assertEquals(-1, fe.in.read());
            } catch (IOException e) {
                // reset: also a disconnect
            }
        }
    }

    @Test
    public void requestsInFlightPerRingAreCappedAndTheRestFollow() throws Exception {
        int old = QueueWorker.maxInFlightDefault;
        QueueWorker.maxInFlightDefault = 2;
        node.gate = new java.util.concurrent.CountDownLatch(1);
        try (TestFrontEnd fe = new TestFrontEnd(sock)) {
            fe.setUp(1, ~0L);
            for (int i = 0; i < 5; i++) {
                int base = 3 * i;
                long hdr = TestFrontEnd.GPA + TestFrontEnd.DATA + 0x100L * base;
                fe.header(hdr, T_IN, i);
                fe.desc(0, base, hdr, 16, DESC_NEXT, base + 1);
                fe.desc(0, base + 1, BUF + 0x1000L * i, 512, DESC_NEXT | DESC_WRITE, base + 2);
                fe.desc(0, base + 2, STATUS + 16L * i, 1, DESC_WRITE, 0);
                fe.at(STATUS + 16L * i, 1).set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0, (byte) 0x7f);
                fe.submit(0, base);
            }
            await("two requests at the node", () -> node.waiting.get() == 2);
            Thread.sleep(200);
            assertEquals("the other three stay in the ring", 2, node.waiting.get());
            assertEquals(0, fe.usedIdx(0));
            node.gate.countDown();
            fe.awaitUsed(0, 5);
            for (int i = 0; i < 5; i++) assertEquals(0, fe.status(STATUS + 16L * i));
        } finally {
            QueueWorker.maxInFlightDefault = old;
            node.gate = null;
        }
    }

    /** For each fd count: did GET_FEATURES carrying that many fds get a reply? */
    static java.util.List<String> fdAnswers(Path socket) throws Exception {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (int n : new int[] {1, 8, 9, 16, 20, 250}) {
            int[] fds = eventfds(n);
            try (TestFrontEnd fe = new TestFrontEnd(socket)) {
                fe.send(GET_FEATURES, 0, new byte[0], fds);
                String answer;
                try {
                    fe.reply(GET_FEATURES);
                    answer = "reply";
                } catch (java.io.EOFException | java.net.SocketException e) {
                    answer = "closed";
                }
                out.add(n + " fds: " + answer);
            } finally {
                for (int fd : fds) Native.close(fd);
            }
        }
        return out;
    }

    @Test
    public void fdLimitIsQsds() throws Exception {
        java.util.Optional<Path> qsdBinary = Stream.of(System.getenv().getOrDefault("PATH", "/usr/bin").split(":"))
                .map(d -> Path.of(d, "qemu-storage-daemon")).filter(Files::isExecutable).findFirst();
        org.junit.Assume.assumeTrue("qemu-storage-daemon is not installed", qsdBinary.isPresent());
        Path dir = tmp.newFolder("qsd").toPath();
        Path qsock = dir.resolve("vhost.sock");
        Path img = dir.resolve("q.img");
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(img.toFile(), "rw")) {
            f.setLength(DISK);
        }
        Process p = new ProcessBuilder(qsdBinary.get().toString(), "--blockdev", "driver=file,node-name=f,filename=" + img,
                "--export", "type=vhost-user-blk,id=e,node-name=f,addr.type=unix,addr.path=" + qsock)
                .redirectErrorStream(true).redirectOutput(dir.resolve("qsd.log").toFile()).start();
        java.util.List<String> qsd;
        try {
            await("qemu-storage-daemon to listen", () -> Files.exists(qsock) || !p.isAlive());
            assertTrue("qemu-storage-daemon did not start", p.isAlive());
            qsd = fdAnswers(qsock);
        } finally {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly();
        }
        assertEquals(qsd, fdAnswers(sock));
    }
}
