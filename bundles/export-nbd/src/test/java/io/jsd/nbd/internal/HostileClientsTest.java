package io.jsd.nbd.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Clients that try to exhaust the server: memory through pipelined maximum-sized reads, through
 * many idle connections and through large option payloads; the server's answer is a bounded
 * budget per connection, an error reply (never silence) when memory runs out, and QSD's
 * max-connections.
 */
public class HostileClientsTest {
    private static final int MAX = 32 << 20;

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private static void await(String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(5);
        }
    }

    /** Runs {@code body} on a virtual thread and waits for it at most {@code seconds}. */
    private static <T> T within(int seconds, java.util.concurrent.Callable<T> body) throws Exception {
        FutureTask<T> f = new FutureTask<>(body);
        Thread.ofVirtual().start(f);
        return f.get(seconds, TimeUnit.SECONDS);
    }

    private static RawClient client(TestServer server, String export) throws Exception {
        RawClient c = new RawClient(server.socket);
        c.greet();
        assertEquals(Nbd.REP_ACK, c.go(export));
        return c;
    }

    private static int read4k(RawClient c, long cookie) throws Exception {
        c.request(0, Nbd.CMD_READ, cookie, 8192, 4096, null);
        int err = c.simpleReply(cookie);
        if (err == 0) c.read(4096);
        return err;
    }

    @Test
    public void pipelinedMaximumReadsAreBoundedPerConnectionAndOthersAreServed() throws Exception {
        try (TestServer server = new TestServer(tmp.getRoot().toPath())) {
            server.export("disk", new MemNode(64L << 20), true, null);
            long before = BufferPool.SHARED.inUse();
            try (RawClient abusive = client(server, "disk"); RawClient good = client(server, "disk")) {
                // 40 reads of 32 MiB (1.25 GiB) and never a reply read: the replies back up
                ByteBuffer reqs = ByteBuffer.allocate(40 * 28);
                for (int i = 0; i < 40; i++) {
                    reqs.putInt(Nbd.REQUEST_MAGIC).putShort((short) 0).putShort((short) Nbd.CMD_READ)
                            .putLong(i).putLong(0).putInt(MAX);
                }
                abusive.write(reqs);
                long budget = (long) Transmission.BUDGET << 10;
                await("the abusive connection to fill its budget",
                        () -> BufferPool.SHARED.inUse() - before >= 2L * MAX);
                for (int i = 0; i < 20; i++) {
                    long cookie = 100 + i;
                    assertEquals("read " + i + " of the well-behaved client", 0, (int) within(10, () -> read4k(good, cookie)));
                }
                if (Peers.has("qemu-io")) {
                    // and a real client, from its handshake on, while the abusive one still holds its budget
                    Peers.run(List.of("qemu-io", "-f", "raw", "-r", "-c", "read 0 64k", "-c", "read 32M 1M",
                            server.uri("disk")), 30).ok();
                }
                long held = BufferPool.SHARED.inUse() - before;
                assertTrue("abusive client holds " + held + " bytes, budget " + budget, held <= budget);
            }
            await("buffers given back after the abusive client left", () -> BufferPool.SHARED.inUse() <= before);
        }
    }

    @Test
    public void failedAllocationAnswersEnomemAndTheConnectionStaysInStep() throws Exception {
        try (TestServer server = new TestServer(tmp.getRoot().toPath())) {
            MemNode node = new MemNode(64L << 20);
            server.export("disk", node, true, null);
            long old = BufferPool.SHARED.limit(BufferPool.SHARED.inUse() + (8 << 20));
            try (RawClient c = client(server, "disk")) {
                c.request(0, Nbd.CMD_READ, 1, 0, 16 << 20, null);
                assertEquals("read over the memory cap", Nbd.ENOMEM, (int) within(10, () -> c.simpleReply(1)));
                c.request(0, Nbd.CMD_WRITE, 2, 1 << 20, 16 << 20, new byte[16 << 20]);
                assertEquals("write over the memory cap", Nbd.ENOMEM, (int) within(10, () -> c.simpleReply(2)));
                assertEquals("a small read still works", 0, read4k(c, 3));
            } finally {
                BufferPool.SHARED.limit(old);
            }
            assertFalse("the refused write wrote nothing", node.allocated(1 << 20));
        }
    }

    @Test
    public void maxConnectionsDefaultsTo100AndConnection101WaitsForAFreeSlot() throws Exception {
        try (TestServer server = new TestServer(tmp.getRoot().toPath())) {
            server.export("disk", new MemNode(1 << 20), false, null);
            NbdServer s = server.service.current();
            List<RawClient> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 101; i++) clients.add(new RawClient(server.socket));
                await("100 connections accepted", () -> s.connectionCount() == 100);
                for (int i = 0; i < 100; i++) clients.get(i).read(18);
                RawClient last = clients.get(100);
                FutureTask<ByteBuffer> greeting = new FutureTask<>(() -> last.read(18));
                Thread.ofVirtual().start(greeting);
                Thread.sleep(200);
                assertFalse("connection 101 is not served while 100 are open", greeting.isDone());
                assertEquals(100, s.connectionCount());
                clients.remove(0).close();
                assertEquals(Nbd.NBDMAGIC, greeting.get(10, TimeUnit.SECONDS).getLong());
            } finally {
                for (RawClient c : clients) c.close();
            }
        }
    }

    private static long directMemory() {
        for (BufferPoolMXBean b : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (b.getName().equals("direct")) return b.getMemoryUsed();
        }
        throw new AssertionError("no direct buffer pool bean");
    }

    /** The soft RLIMIT_NOFILE of this process, from /proc/self/limits. */
    private static long openFileLimit() throws java.io.IOException {
        for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/limits"))) {
            if (line.startsWith("Max open files")) {
                String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                return soft.equals("unlimited") ? Long.MAX_VALUE / 4 : Long.parseLong(soft);
            }
        }
        return 1024;
    }

    @Test
    public void manyIdleConnectionsHoldLittleMemory() throws Exception {
        // ~4000 as in the report, fewer where the fd limit would not allow both ends of them
        int n = (int) Math.min(4000, (openFileLimit() - 300) / 2);
        org.junit.Assume.assumeTrue("fd limit too low for this test", n >= 500);
        try (TestServer server = new TestServer(tmp.getRoot().toPath(), "\"max-connections\":0", null)) {
            NbdServer s = server.service.current();
            long before = directMemory();
            List<RawClient> clients = new ArrayList<>();
            try {
                for (int i = 0; i < n; i++) clients.add(new RawClient(server.socket));
                await(n + " connections in the handshake", () -> s.connectionCount() == n);
                long grown = directMemory() - before;
                assertTrue(n + " idle connections took " + grown + " bytes of direct memory", grown < n * 16L * 1024);
            } finally {
                for (RawClient c : clients) c.close();
            }
            await("connections closed", () -> s.connectionCount() == 0);
        }
    }

    @Test
    public void largeOptionPayloadsAreReadPiecewiseAsQemuDoes() throws Exception {
        try (TestServer server = new TestServer(tmp.getRoot().toPath())) {
            server.export("disk", new MemNode(1 << 20), false, null);
            try (RawClient c = new RawClient(server.socket)) {
                c.greet();
                // GO with a valid name and 16 MiB of trailing bytes: dropped, negotiation goes on
                byte[] go = new byte[16 << 20];
                ByteBuffer.wrap(go).putInt(4).put("disk".getBytes(StandardCharsets.US_ASCII)).putShort((short) 0);
                c.option(Nbd.OPT_GO, go);
                RawClient.OptReply r = c.optReply();
                assertEquals(Nbd.REP_ERR_INVALID, r.type());
                assertEquals("option 'go' has unexpected length", r.text());
                // a name over 4096 bytes
                c.option(Nbd.OPT_INFO, ByteBuffer.allocate(8).putInt(5000).putInt(0).array());
                r = c.optReply();
                assertEquals(Nbd.REP_ERR_INVALID, r.type());
                assertEquals("Invalid name length: 5000", r.text());
                // a name with a NUL
                c.option(Nbd.OPT_LIST_META_CONTEXT, ByteBuffer.allocate(12).putInt(4).put(new byte[] {'d', 0, 's', 'k'}).putInt(0).array());
                r = c.optReply();
                assertEquals(Nbd.REP_ERR_INVALID, r.type());
                assertEquals("Unexpected embedded NUL in option list meta context", r.text());
                // 32 MiB of queries that are each too long: skipped, not kept
                ByteBuffer meta = ByteBuffer.allocate(MAX);
                meta.putInt(4).put("disk".getBytes(StandardCharsets.US_ASCII)).putInt(1).putInt(MAX - 16);
                c.option(Nbd.OPT_LIST_META_CONTEXT, meta.array());
                assertEquals(Nbd.REP_ACK, c.optReply().type());
                assertEquals(Nbd.REP_ACK, c.go("disk"));
                assertEquals(0, read4k(c, 1));
            }
        }
    }
}
