package io.jsd.nbd.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Malformed and hostile traffic: the right error, only that connection closed, the image unchanged. */
public class BadInputTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private TestServer server;
    private MemNode node;
    private MemNode roNode;
    private io.jsd.export.Export diskExport;

    @Before
    public void setUp() throws Exception {
        server = new TestServer(tmp.getRoot().toPath(), "\"handshake-max-seconds\":1", null);
        node = new MemNode(1L << 20);
        roNode = new MemNode(1L << 20);
        diskExport = server.export("disk", node, true, null);
        server.export("ro", roNode, false, null);
    }

    @After
    public void tearDown() throws Exception {
        server.close();
    }

    /** A healthy client, to show the others did not take the server down. */
    private void healthyClientStillWorks() throws Exception {
        try (RawClient c = new RawClient(server.socket)) {
            c.greet();
            assertEquals(Nbd.REP_ACK, c.go("disk"));
            c.request(0, Nbd.CMD_READ, 7, 0, 512, null);
            assertEquals(0, c.simpleReply(7));
            c.read(512);
        }
    }

    @Test
    public void wrongOptionMagicClosesOnlyThatConnection() throws Exception {
        try (RawClient c = new RawClient(server.socket); RawClient other = new RawClient(server.socket)) {
            other.greet();
            c.greet();
            c.write(ByteBuffer.allocate(16).putLong(0x1122334455667788L).putInt(Nbd.OPT_GO).putInt(0));
            assertTrue(c.closedByServer());
            assertEquals(Nbd.REP_ACK, other.go("disk"));
        }
        healthyClientStillWorks();
    }

    @Test
    public void unknownClientFlagsClose() throws Exception {
        try (RawClient c = new RawClient(server.socket)) {
            c.read(18);
            c.write(ByteBuffer.allocate(4).putInt(0x80));
            assertTrue(c.closedByServer());
        }
        healthyClientStillWorks();
    }

    @Test
    public void unknownOptionGetsErrUnsupAndNegotiationContinues() throws Exception {
        try (RawClient c = new RawClient(server.socket)) {
            c.greet();
            c.option(99, new byte[] {1, 2, 3});
            RawClient.OptReply r = c.optReply();
            assertEquals(Nbd.REP_ERR_UNSUP, r.type());
            assertEquals(99, r.opt());
            c.option(Nbd.OPT_LIST, new byte[0]);
            RawClient.OptReply l1 = c.optReply();
            assertEquals(Nbd.REP_SERVER, l1.type());
            // GO for a missing export: ERR_UNKNOWN, still negotiating
            assertEquals(Nbd.REP_ERR_UNKNOWN, drainList(c).go("nope"));
            assertEquals(Nbd.REP_ACK, c.go("disk"));
        }
    }

    private static RawClient drainList(RawClient c) throws Exception {
        while (c.optReply().type() != Nbd.REP_ACK) {
            // skip the remaining NBD_REP_SERVER entries
        }
        return c;
    }

    @Test
    public void oversizedOptionCloses() throws Exception {
        try (RawClient c = new RawClient(server.socket)) {
            c.greet();
            c.write(ByteBuffer.allocate(16).putLong(Nbd.IHAVEOPT).putInt(Nbd.OPT_GO).putInt(64 << 20));
            assertTrue(c.closedByServer());
        }
        healthyClientStillWorks();
    }

    @Test
    public void infoWithInconsistentLengthIsInvalid() throws Exception {
        try (RawClient c = new RawClient(server.socket)) {
            c.greet();
            c.option(Nbd.OPT_INFO, ByteBuffer.allocate(6).putInt(100).putShort((short) 0).array());
            assertEquals(Nbd.REP_ERR_INVALID, c.optReply().type());
            c.option(Nbd.OPT_SET_META_CONTEXT, new byte[8]);
            assertEquals("SET before structured replies", Nbd.REP_ERR_INVALID, c.optReply().type());
        }
    }

    @Test
    public void transmissionErrors() throws Exception {
        try (RawClient c = new RawClient(server.socket)) {
            c.greet();
            assertEquals(Nbd.REP_ACK, c.go("disk"));
            c.request(0, 42, 1, 0, 0, null);
            assertEquals("unknown command", Nbd.EINVAL, c.simpleReply(1));
            c.request(0, Nbd.CMD_READ, 2, (1 << 20) - 256, 512, null);
            assertEquals("read past the end", Nbd.EINVAL, c.simpleReply(2));
            c.request(0, Nbd.CMD_WRITE, 3, (1 << 20) - 256, 512, new byte[512]);
            assertEquals("write past the end: EINVAL, as QSD", Nbd.EINVAL, c.simpleReply(3));
            c.request(0, Nbd.CMD_READ, 4, 0, (32 << 20) + 1, null);
            assertEquals("read above the maximum", Nbd.EINVAL, c.simpleReply(4));
            c.request(Nbd.CMD_FLAG_REQ_ONE, Nbd.CMD_WRITE, 5, 0, 4, new byte[] {1, 2, 3, 4});
            assertEquals("flag not valid for write", Nbd.EINVAL, c.simpleReply(5));
            c.request(0, Nbd.CMD_BLOCK_STATUS, 6, 0, 512, null);
            assertEquals("block status without contexts", Nbd.EINVAL, c.simpleReply(6));
            c.request(0, Nbd.CMD_WRITE, 8, 0, 4, new byte[] {9, 9, 9, 9});
            assertEquals(0, c.simpleReply(8));
            c.request(0, Nbd.CMD_DISC, 9, 0, 0, null);
            assertTrue(c.closedByServer());
        }
        assertTrue(node.allocated(0));
        assertFalse("rejected writes changed nothing", node.allocated((1 << 20) - 256));
    }

    @Test
    public void writeToReadOnlyExportIsEperm() throws Exception {
        try (RawClient c = new RawClient(server.socket)) {
            c.greet();
            assertEquals(Nbd.REP_ACK, c.go("ro"));
            c.request(0, Nbd.CMD_WRITE, 1, 0, 4096, new byte[4096]);
            assertEquals(Nbd.EPERM, c.simpleReply(1));
            c.request(0, Nbd.CMD_TRIM, 2, 0, 4096, null);
            assertEquals(Nbd.EPERM, c.simpleReply(2));
            c.request(0, Nbd.CMD_READ, 3, 0, 16, null);
            assertEquals("still in step after the rejected payload", 0, c.simpleReply(3));
        }
        assertFalse(roNode.allocated(0));
    }

    @Test
    public void wrongRequestMagicCloses() throws Exception {
        try (RawClient c = new RawClient(server.socket)) {
            c.greet();
            assertEquals(Nbd.REP_ACK, c.go("disk"));
            ByteBuffer bad = ByteBuffer.allocate(28);
            bad.putInt(0xdeadbeef).position(28);
            c.write(bad);
            assertTrue(c.closedByServer());
        }
        healthyClientStillWorks();
    }

    @Test
    public void clientGoneMidWriteChangesNothing() throws Exception {
        try (RawClient c = new RawClient(server.socket)) {
            c.greet();
            assertEquals(Nbd.REP_ACK, c.go("disk"));
            ByteBuffer b = ByteBuffer.allocate(28 + 1000);
            b.putInt(Nbd.REQUEST_MAGIC).putShort((short) 0).putShort((short) Nbd.CMD_WRITE).putLong(1)
                    .putLong(65536).putInt(65536);
            b.put(new byte[1000]);
            c.write(b);
        }
        // The connection ends at once (no waiting for the missing payload's request).
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (diskExport.inUse() && System.nanoTime() < deadline) Thread.sleep(10);
        assertFalse(diskExport.inUse());
        healthyClientStillWorks();
        assertFalse(node.allocated(65536));
    }

    @Test
    public void oversizedWriteIsRefusedAndCloses() throws Exception {
        try (RawClient c = new RawClient(server.socket)) {
            c.greet();
            assertEquals(Nbd.REP_ACK, c.go("disk"));
            c.request(0, Nbd.CMD_WRITE, 1, 0, (32 << 20) + 1, null);
            assertEquals(Nbd.EINVAL, c.simpleReply(1));
            assertTrue(c.closedByServer());
        }
        healthyClientStillWorks();
    }

    @Test
    public void stalledHandshakeIsDropped() throws Exception {
        try (RawClient c = new RawClient(server.socket)) {
            c.read(18);
            // say nothing: handshake-max-seconds=1 must end it
            long t0 = System.nanoTime();
            assertTrue(c.closedByServer());
            assertTrue(System.nanoTime() - t0 < 30_000_000_000L);
        }
        healthyClientStillWorks();
    }

    @Test
    public void exportNameForMissingExportCloses() throws Exception {
        try (RawClient c = new RawClient(server.socket)) {
            c.greet();
            c.option(Nbd.OPT_EXPORT_NAME, "missing".getBytes(StandardCharsets.UTF_8));
            assertTrue(c.closedByServer());
        }
    }
}
