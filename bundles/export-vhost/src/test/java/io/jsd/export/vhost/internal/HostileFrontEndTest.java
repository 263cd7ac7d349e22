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
    Export export;

    @Before
    public void setUp() throws Exception {
        sock = tmp.getRoot().toPath().resolve("vhost.sock");
        file = FileNode.create(tmp.getRoot().toPath().resolve("disk.img"), DISK);
        String json = "{\"addr\":{\"type\":\"unix\",\"path\":\"" + sock + "\"},\"num-queues\":2}";
        export = new VhostBlkExportDriver().create(new TestContext(new SlowNode(file, 0), json, true));
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
}
