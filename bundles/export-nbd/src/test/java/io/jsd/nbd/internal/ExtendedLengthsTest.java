package io.jsd.nbd.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Extended headers carry 64-bit lengths and offsets: values of 2^63 and above must be refused as
 * the unsigned numbers they are (they once passed the checks as negative Java longs and READ /
 * WRITE_ZEROES / BLOCK_STATUS "succeeded"). Expected errnos and texts are QSD 10's, taken from
 * qemu-storage-daemon answering the same requests.
 */
public class ExtendedLengthsTest {
    private static final long SIZE = 1 << 20;
    private static final long HUGE = 1L << 63;
    private static final long MAX = -1L; // 2^64 - 1

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private TestServer server;
    private MemNode node;

    @Before
    public void setUp() throws Exception {
        server = new TestServer(tmp.getRoot().toPath());
        node = new MemNode(SIZE);
        node.write(0, ByteBuffer.wrap(new byte[] {1, 2, 3, 4}), 0);
        server.export("disk", node, true, null);
    }

    @After
    public void tearDown() throws Exception {
        server.close();
    }

    private RawClient connect() throws Exception { return connect(server.socket); }

    private static RawClient connect(java.nio.file.Path socket) throws Exception {
        RawClient c = new RawClient(socket);
        c.greet();
        c.option(Nbd.OPT_EXTENDED_HEADERS, new byte[0]);
        assertEquals(Nbd.REP_ACK, c.optReply().type());
        byte[] name = "disk".getBytes(StandardCharsets.UTF_8);
        byte[] q = Nbd.CTX_BASE_ALLOCATION.getBytes(StandardCharsets.UTF_8);
        ByteBuffer meta = ByteBuffer.allocate(4 + name.length + 4 + 4 + q.length);
        meta.putInt(name.length).put(name).putInt(1).putInt(q.length).put(q);
        c.option(Nbd.OPT_SET_META_CONTEXT, meta.array());
        assertEquals(Nbd.REP_META_CONTEXT, c.optReply().type());
        assertEquals(Nbd.REP_ACK, c.optReply().type());
        assertEquals(Nbd.REP_ACK, c.go("disk"));
        return c;
    }

    private static void expectError(RawClient c, int type, long offset, long length, String message) throws Exception {
        long cookie = type * 1000L + (offset >>> 40) + (length & 0xff);
        c.extendedRequest(0, type, cookie, offset, length);
        RawClient.Chunk ch = c.extendedChunk();
        String what = Nbd.cmdName(type) + " from " + Long.toUnsignedString(offset) + " len " + Long.toUnsignedString(length);
        assertEquals(what, cookie, ch.cookie());
        assertTrue(what + " must fail", ch.error());
        assertTrue(ch.done());
        assertEquals(what, Nbd.EINVAL, ch.errno());
        assertEquals(what, message, ch.message());
    }

    private static String tooLong(long len) {
        return "len (" + Long.toUnsignedString(len) + ") is larger than max len (33554432)";
    }

    private static String pastEof(long from, long len) {
        return "operation past EOF; From: " + Long.toUnsignedString(from) + ", Len: " + Long.toUnsignedString(len)
                + ", Size: " + SIZE;
    }

    @Test
    public void hugeLengthsAndOffsetsAreRefusedLikeQsd() throws Exception {
        try (RawClient c = connect()) {
            for (int type : new int[] {Nbd.CMD_READ, Nbd.CMD_CACHE}) {
                expectError(c, type, 0, HUGE, tooLong(HUGE));
                expectError(c, type, 0, MAX, tooLong(MAX));
                expectError(c, type, 4096, -4096L, tooLong(-4096L));
                expectError(c, type, HUGE, 512, pastEof(HUGE, 512));
            }
            for (int type : new int[] {Nbd.CMD_WRITE_ZEROES, Nbd.CMD_BLOCK_STATUS, Nbd.CMD_TRIM}) {
                expectError(c, type, 0, HUGE, pastEof(0, HUGE));
                expectError(c, type, 0, MAX, pastEof(0, MAX));
                expectError(c, type, 4096, -4096L, pastEof(4096, -4096L));
                expectError(c, type, HUGE, 512, pastEof(HUGE, 512));
                expectError(c, type, MAX, 1, pastEof(MAX, 1));
            }
            // still in step, and nothing was zeroed or trimmed
            c.extendedRequest(Nbd.CMD_FLAG_DF, Nbd.CMD_READ, 77, 0, 4);
            RawClient.Chunk data = c.extendedChunk();
            assertEquals(77, data.cookie());
            assertEquals(Nbd.REPLY_TYPE_OFFSET_DATA, data.type());
            assertArrayEquals(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4}, data.payload());
        }
        assertTrue(node.allocated(0));
    }

    @Test
    public void hugeWritePayloadIsRefusedAndCloses() throws Exception {
        try (RawClient c = connect()) {
            c.extendedRequest(Nbd.CMD_FLAG_PAYLOAD_LEN, Nbd.CMD_WRITE, 5, 0, HUGE);
            RawClient.Chunk ch = c.extendedChunk();
            assertTrue(ch.error());
            assertEquals(Nbd.EINVAL, ch.errno());
            assertEquals(tooLong(HUGE), ch.message());
            // the payload cannot be skipped: the connection ends, as with QSD
            assertTrue(c.closedByServer());
        }
    }

    /** What a server answers to each hostile request: errno and text, or "ok". */
    private static List<String> answers(java.nio.file.Path socket) throws Exception {
        List<String> out = new ArrayList<>();
        long[][] cases = {{0, HUGE}, {0, MAX}, {4096, -4096L}, {HUGE, 512}, {MAX, 1}, {1 << 20, 1}, {0, 0}, {1 << 20, 0}};
        try (RawClient c = connect(socket)) {
            long cookie = 1;
            for (int type : new int[] {Nbd.CMD_READ, Nbd.CMD_CACHE, Nbd.CMD_WRITE_ZEROES, Nbd.CMD_BLOCK_STATUS, Nbd.CMD_TRIM}) {
                for (long[] k : cases) {
                    c.extendedRequest(0, type, cookie, k[0], k[1]);
                    RawClient.Chunk ch = c.extendedChunk();
                    assertEquals(cookie++, ch.cookie());
                    assertTrue(ch.done());
                    out.add(Nbd.cmdName(type) + " " + Long.toUnsignedString(k[0]) + "+" + Long.toUnsignedString(k[1]) + ": "
                            + (ch.error() ? ch.errno() + " " + ch.message() : "ok"));
                }
            }
        }
        // compact headers: refusals of writes are EINVAL too, not ENOSPC
        try (RawClient c = new RawClient(socket)) {
            c.greet();
            assertEquals(Nbd.REP_ACK, c.go("disk"));
            c.request(0, Nbd.CMD_WRITE, 1, (1 << 20) - 256, 512, new byte[512]);
            out.add("compact write past EOF: " + c.simpleReply(1));
            c.request(0, Nbd.CMD_WRITE_ZEROES, 2, (1 << 20) - 256, 512, null);
            out.add("compact write zeroes past EOF: " + c.simpleReply(2));
            c.request(0, Nbd.CMD_CACHE, 3, 0, (32 << 20) + 1, null);
            out.add("compact cache over 32 MiB: " + c.simpleReply(3));
        }
        return out;
    }

    @Test
    public void answersAreQsds() throws Exception {
        Peers.assume("qemu-storage-daemon", "qemu-img");
        java.nio.file.Path dir = tmp.newFolder("qsd").toPath();
        java.nio.file.Path img = dir.resolve("disk.img");
        java.nio.file.Path sock = dir.resolve("qsd.sock");
        Peers.run("qemu-img", "create", "-f", "raw", img.toString(), Long.toString(SIZE)).ok();
        Process p = new ProcessBuilder("qemu-storage-daemon", "--blockdev", "driver=file,node-name=f,filename=" + img,
                "--nbd-server", "addr.type=unix,addr.path=" + sock, "--export", "type=nbd,id=e,node-name=f,name=disk,writable=on")
                .redirectErrorStream(true).redirectOutput(dir.resolve("qsd.log").toFile()).start();
        List<String> qsd;
        try {
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
            while (!java.nio.file.Files.exists(sock)) {
                if (System.nanoTime() > deadline || !p.isAlive()) throw new AssertionError("qemu-storage-daemon did not start");
                Thread.sleep(20);
            }
            qsd = answers(sock);
        } finally {
            p.destroy();
            if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) p.destroyForcibly();
        }
        assertEquals(qsd, answers(server.socket));
    }
}
