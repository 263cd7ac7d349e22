package io.jsd.nbd.internal;

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

/** Structured and extended replies checked byte by byte: hole chunks, block status, errors. */
public class StructuredRepliesTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private TestServer server;

    @Before
    public void setUp() throws Exception {
        server = new TestServer(tmp.getRoot().toPath());
        MemNode base = new MemNode(4L << 20);
        base.write(0, ByteBuffer.wrap(filled(MemNode.CLUSTER, 7)), 0);
        MemNode node = new MemNode(4L << 20, base);
        node.write(MemNode.CLUSTER * 2L, ByteBuffer.wrap(filled(MemNode.CLUSTER, 9)), 0);
        server.export("disk", node, true, "{\"allocation-depth\":true}");
        MemNode plain = new MemNode(4L << 20);
        plain.write(MemNode.CLUSTER, ByteBuffer.wrap(filled(MemNode.CLUSTER, 3)), 0);
        server.export("plain", plain, true, null);
    }

    @After
    public void tearDown() throws Exception {
        server.close();
    }

    private static byte[] filled(int n, int v) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) v);
        return b;
    }

    record Chunk(int flags, int type, long cookie, byte[] payload) {}

    private static Chunk chunk(RawClient c, boolean extended) throws Exception {
        ByteBuffer h = c.read(extended ? 32 : 20);
        int magic = h.getInt();
        assertEquals(extended ? Nbd.EXTENDED_REPLY_MAGIC : Nbd.STRUCTURED_REPLY_MAGIC, magic);
        int flags = h.getShort() & 0xffff;
        int type = h.getShort() & 0xffff;
        long cookie = h.getLong();
        long len;
        if (extended) {
            h.getLong();
            len = h.getLong();
        } else {
            len = h.getInt() & 0xffffffffL;
        }
        byte[] p = new byte[(int) len];
        c.read((int) len).get(p);
        return new Chunk(flags, type, cookie, p);
    }

    private static List<Chunk> reply(RawClient c, boolean extended) throws Exception {
        List<Chunk> out = new ArrayList<>();
        Chunk ch;
        do {
            ch = chunk(c, extended);
            out.add(ch);
        } while ((ch.flags() & Nbd.REPLY_FLAG_DONE) == 0);
        return out;
    }

    private static void setMeta(RawClient c, String export, String... queries) throws Exception {
        byte[] n = export.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(1024);
        b.putInt(n.length).put(n).putInt(queries.length);
        for (String q : queries) {
            byte[] qb = q.getBytes(StandardCharsets.UTF_8);
            b.putInt(qb.length).put(qb);
        }
        byte[] d = new byte[b.position()];
        b.flip().get(d);
        c.option(Nbd.OPT_SET_META_CONTEXT, d);
    }

    @Test
    public void sparseReadSendsHoleChunks() throws Exception {
        try (RawClient c = new RawClient(server.socket)) {
            c.greet();
            c.option(Nbd.OPT_STRUCTURED_REPLY, new byte[0]);
            assertEquals(Nbd.REP_ACK, c.optReply().type());
            assertEquals(Nbd.REP_ACK, c.go("plain"));
            c.request(0, Nbd.CMD_READ, 5, 0, 8 * MemNode.CLUSTER, null);
            List<Chunk> r = reply(c, false);
            assertEquals(3, r.size());
            assertEquals(Nbd.REPLY_TYPE_OFFSET_HOLE, r.get(0).type());
            assertEquals(Nbd.REPLY_TYPE_OFFSET_DATA, r.get(1).type());
            assertEquals(8 + MemNode.CLUSTER, r.get(1).payload().length);
            assertEquals(3, r.get(1).payload()[8]);
            assertEquals(Nbd.REPLY_TYPE_OFFSET_HOLE, r.get(2).type());
            assertEquals(Nbd.REPLY_FLAG_DONE, r.get(2).flags());
            // DF: one data chunk with the zeroes in it
            c.request(Nbd.CMD_FLAG_DF, Nbd.CMD_READ, 6, 0, 3 * MemNode.CLUSTER, null);
            r = reply(c, false);
            assertEquals(1, r.size());
            assertEquals(Nbd.REPLY_TYPE_OFFSET_DATA, r.get(0).type());
            // an error is an error chunk with a message
            c.request(0, Nbd.CMD_READ, 7, 4L << 20, 512, null);
            r = reply(c, false);
            assertEquals(Nbd.REPLY_TYPE_ERROR, r.get(0).type());
            assertEquals(Nbd.EINVAL, ByteBuffer.wrap(r.get(0).payload()).getInt());
        }
    }

    @Test
    public void extendedHeadersBlockStatusForBothContexts() throws Exception {
        try (RawClient c = new RawClient(server.socket)) {
            c.greet();
            c.option(Nbd.OPT_EXTENDED_HEADERS, new byte[0]);
            assertEquals(Nbd.REP_ACK, c.optReply().type());
            setMeta(c, "disk", "base:allocation", "qemu:allocation-depth", "x-unknown:thing");
            RawClient.OptReply m1 = c.optReply();
            RawClient.OptReply m2 = c.optReply();
            assertEquals(Nbd.REP_META_CONTEXT, m1.type());
            assertTrue(new String(m1.data(), 4, m1.data().length - 4, StandardCharsets.UTF_8).equals("base:allocation"));
            assertEquals(Nbd.REP_META_CONTEXT, m2.type());
            assertEquals(Nbd.REP_ACK, c.optReply().type());
            assertEquals(Nbd.REP_ACK, c.go("disk"));
            ByteBuffer req = ByteBuffer.allocate(32);
            req.putInt(Nbd.EXTENDED_REQUEST_MAGIC).putShort((short) 0).putShort((short) Nbd.CMD_BLOCK_STATUS)
                    .putLong(11).putLong(0).putLong(4L << 20);
            c.write(req);
            List<Chunk> r = reply(c, true);
            assertEquals(2, r.size());
            for (Chunk ch : r) assertEquals(Nbd.REPLY_TYPE_BLOCK_STATUS_EXT, ch.type());
            ByteBuffer depth = ByteBuffer.wrap(r.get(1).payload());
            assertEquals(Nbd.CTX_ID_ALLOCATION_DEPTH, depth.getInt());
            int n = depth.getInt();
            assertEquals(4, n);
            long[][] expect = {{65536, 2}, {65536, 0}, {65536, 1}, {(4L << 20) - 3 * 65536, 0}};
            for (long[] e : expect) {
                assertEquals(e[0], depth.getLong());
                assertEquals(e[1], depth.getLong());
            }
            // success without payload is a NONE chunk (no simple replies with extended headers)
            req.clear();
            req.putInt(Nbd.EXTENDED_REQUEST_MAGIC).putShort((short) 0).putShort((short) Nbd.CMD_FLUSH)
                    .putLong(12).putLong(0).putLong(0);
            c.write(req);
            r = reply(c, true);
            assertEquals(Nbd.REPLY_TYPE_NONE, r.get(0).type());
        }
    }

    @Test
    public void listMetaContextWithoutQueriesListsAll() throws Exception {
        try (RawClient c = new RawClient(server.socket)) {
            c.greet();
            byte[] n = "disk".getBytes(StandardCharsets.UTF_8);
            c.option(Nbd.OPT_LIST_META_CONTEXT, ByteBuffer.allocate(12).putInt(4).put(n).putInt(0).array());
            List<String> names = new ArrayList<>();
            RawClient.OptReply r;
            while ((r = c.optReply()).type() == Nbd.REP_META_CONTEXT) {
                names.add(new String(r.data(), 4, r.data().length - 4, StandardCharsets.UTF_8));
            }
            assertEquals(Nbd.REP_ACK, r.type());
            assertEquals(List.of("base:allocation", "qemu:allocation-depth"), names);
        }
    }
}
