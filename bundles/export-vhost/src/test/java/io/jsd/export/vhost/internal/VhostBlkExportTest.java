package io.jsd.export.vhost.internal;

import static io.jsd.export.vhost.internal.TestFrontEnd.*;
import static io.jsd.export.vhost.internal.VhostUser.*;
import static io.jsd.export.vhost.internal.VirtioBlk.*;
import static org.junit.Assert.*;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CountDownLatch;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.jsd.export.Export;
import io.jsd.options.OptionException;
import io.jsd.testkit.FileNode;

/** Drives the back-end with a hand-made front-end over a real unix socket and a memfd. */
public class VhostBlkExportTest {
    static final long DISK = 8 << 20;
    static final int DESC_NEXT = 1, DESC_WRITE = 2, DESC_INDIRECT = 4;
    static final long ALL = ~0L;

    @Rule public TemporaryFolder tmp = new TemporaryFolder();
    Path sock;
    /** The image, through a node that can hold requests and counts flushes. */
    FileNode file;
    SlowNode node;
    Export export;

    @Before
    public void setUp() throws Exception {
        sock = tmp.getRoot().toPath().resolve("vhost.sock");
        file = FileNode.create(tmp.getRoot().toPath().resolve("disk.img"), DISK);
        node = new SlowNode(file, 0);
        export = start(2, true);
    }

    Export start(int queues, boolean writable) throws Exception {
        return TestContext.vhostBlk(sock, node, queues, writable);
    }

    @After
    public void tearDown() throws Exception {
        if (export != null) export.close(true);
        file.close();
    }

    /** A 3-descriptor request on queue q with descriptors at base: header, data, status. */
    int request(TestFrontEnd fe, int q, int base, int type, long sector, long dataGpa, int dataLen, boolean dataWritable, long statusGpa) {
        long hdr = DATA + GPA + 0x100 * base;
        fe.header(hdr, type, sector);
        if (dataLen > 0) {
            fe.desc(q, base, hdr, 16, DESC_NEXT, base + 1);
            fe.desc(q, base + 1, dataGpa, dataLen, DESC_NEXT | (dataWritable ? DESC_WRITE : 0), base + 2);
            fe.desc(q, base + 2, statusGpa, 1, DESC_WRITE, 0);
        } else {
            fe.desc(q, base, hdr, 16, DESC_NEXT, base + 2);
            fe.desc(q, base + 2, statusGpa, 1, DESC_WRITE, 0);
        }
        fe.at(statusGpa, 1).set(ValueLayout.JAVA_BYTE, 0, (byte) 0x7f);
        return base;
    }

    byte roundTrip(TestFrontEnd fe, int q, int head, long statusGpa) throws Exception {
        int before = fe.usedIdx(q);
        fe.submit(q, head);
        fe.awaitUsed(q, (before + 1) & 0xffff);
        assertEquals(head, fe.usedId(q, before));
        return fe.status(statusGpa);
    }

    static final long BUF = GPA + 0x100000, STATUS = GPA + 0x3f0000;

    @Test
    public void handshakeOffersQsdFeaturesAndConfig() throws Exception {
        try (TestFrontEnd fe = new TestFrontEnd(sock)) {
            long f = fe.get(GET_FEATURES);
            for (int bit : new int[] {F_SIZE_MAX, F_SEG_MAX, F_BLK_SIZE, F_FLUSH, F_TOPOLOGY, F_CONFIG_WCE, F_MQ, F_DISCARD,
                    F_WRITE_ZEROES, F_RING_INDIRECT_DESC, F_RING_EVENT_IDX, F_VERSION_1, F_PROTOCOL_FEATURES}) {
                assertTrue("feature " + bit, (f & (1L << bit)) != 0);
            }
            assertEquals(0, f & (1L << F_RO));
            long pf = fe.get(GET_PROTOCOL_FEATURES);
            assertEquals(PROTOCOL_FEATURES, pf);
            assertEquals(2, fe.get(GET_QUEUE_NUM));
            assertEquals(MAX_MEM_SLOTS, fe.get(GET_MAX_MEM_SLOTS));
            ByteBuffer cfgReq = ByteBuffer.allocate(12 + 60).order(ByteOrder.LITTLE_ENDIAN).putInt(0).putInt(60).putInt(0);
            fe.send(GET_CONFIG, 0, cfgReq.array());
            ByteBuffer cfg = fe.reply(GET_CONFIG);
            assertEquals(72, cfg.remaining());
            assertEquals(DISK / 512, cfg.getLong(12 + CFG_CAPACITY));
            assertEquals(126, cfg.getInt(12 + CFG_SEG_MAX));
            assertEquals(512, cfg.getInt(12 + CFG_BLK_SIZE));
            assertEquals(0, cfg.get(12 + CFG_WRITEBACK));
            assertEquals(2, cfg.getShort(12 + CFG_NUM_QUEUES));
            assertEquals(32768, cfg.getInt(12 + CFG_MAX_DISCARD_SECTORS));
            assertEquals(32768, cfg.getInt(12 + CFG_MAX_WRITE_ZEROES_SECTORS));
            // Out of range: empty reply. SET_CONFIG of the writeback byte is accepted, others refused.
            fe.send(GET_CONFIG, 0, ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putInt(90).putInt(60).putInt(0).array());
            assertEquals(0, fe.reply(GET_CONFIG).remaining());
            assertEquals(0, fe.acked(SET_CONFIG, ByteBuffer.allocate(13).order(ByteOrder.LITTLE_ENDIAN).putInt(CFG_WRITEBACK).putInt(1).putInt(0).put((byte) 1).array()));
            assertNotEquals(0, fe.acked(SET_CONFIG, ByteBuffer.allocate(13).order(ByteOrder.LITTLE_ENDIAN).putInt(0).putInt(1).putInt(0).put((byte) 1).array()));
            assertNotEquals(0, fe.acked(SET_LOG_BASE, new byte[16]));
        }
    }

    @Test
    public void writeReadFlushIdDiscardZeroes() throws Exception {
        try (TestFrontEnd fe = new TestFrontEnd(sock)) {
            fe.setUp(2, ALL & ~(1L << F_RING_EVENT_IDX));
            byte[] data = new byte[8192];
            new Random(1).nextBytes(data);
            MemorySegment.copy(data, 0, fe.at(BUF, data.length), ValueLayout.JAVA_BYTE, 0, data.length);
            // OUT with the data split over two descriptors
            long hdr = GPA + DATA;
            fe.header(hdr, T_OUT, 16);
            fe.desc(0, 0, hdr, 16, DESC_NEXT, 1);
            fe.desc(0, 1, BUF, 4096, DESC_NEXT, 2);
            fe.desc(0, 2, BUF + 4096, 4096, DESC_NEXT, 3);
            fe.desc(0, 3, STATUS, 1, DESC_WRITE, 0);
            assertEquals(S_OK, roundTrip(fe, 0, 0, STATUS));
            ByteBuffer onDisk = ByteBuffer.allocate(8192);
            file.read(16 * 512, onDisk);
            assertArrayEquals(data, onDisk.array());
            // IN on queue 1 into another buffer
            long rbuf = BUF + 0x10000;
            request(fe, 1, 0, T_IN, 16, rbuf, 8192, true, STATUS + 1);
            assertEquals(S_OK, roundTrip(fe, 1, 0, STATUS + 1));
            assertEquals(8193, fe.usedLen(1, 0));
            byte[] back = new byte[8192];
            MemorySegment.copy(fe.at(rbuf, 8192), ValueLayout.JAVA_BYTE, 0, back, 0, 8192);
            assertArrayEquals(data, back);
            // FLUSH
            request(fe, 0, 4, T_FLUSH, 0, 0, 0, false, STATUS + 2);
            assertEquals(S_OK, roundTrip(fe, 0, 4, STATUS + 2));
            assertTrue(node.flushes > 0);
            // GET_ID
            request(fe, 0, 8, T_GET_ID, 0, BUF + 0x20000, 20, true, STATUS + 3);
            assertEquals(S_OK, roundTrip(fe, 0, 8, STATUS + 3));
            byte[] id = new byte[14];
            MemorySegment.copy(fe.at(BUF + 0x20000, 14), ValueLayout.JAVA_BYTE, 0, id, 0, 14);
            assertEquals("vhost_user_blk", new String(id));
            // WRITE_ZEROES over the first 4 KiB of the written data, with the unmap flag
            long seg = BUF + 0x30000;
            fe.at(seg, 16).set(U64, 0, 16L);
            fe.at(seg, 16).set(U32, 8, 8);
            fe.at(seg, 16).set(U32, 12, WRITE_ZEROES_FLAG_UNMAP);
            request(fe, 0, 12, T_WRITE_ZEROES, 0, seg, 16, false, STATUS + 4);
            assertEquals(S_OK, roundTrip(fe, 0, 12, STATUS + 4));
            onDisk.clear();
            file.read(16 * 512, onDisk);
            assertArrayEquals(new byte[4096], Arrays.copyOf(onDisk.array(), 4096));
            assertArrayEquals(Arrays.copyOfRange(data, 4096, 8192), Arrays.copyOfRange(onDisk.array(), 4096, 8192));
            // DISCARD: accepted; with the unmap flag: UNSUPP
            fe.at(seg, 16).set(U32, 12, 0);
            request(fe, 1, 4, T_DISCARD, 0, seg, 16, false, STATUS + 5);
            assertEquals(S_OK, roundTrip(fe, 1, 4, STATUS + 5));
            fe.at(seg, 16).set(U32, 12, WRITE_ZEROES_FLAG_UNMAP);
            request(fe, 1, 4, T_DISCARD, 0, seg, 16, false, STATUS + 5);
            assertEquals(S_UNSUPP, roundTrip(fe, 1, 4, STATUS + 5));
            // unknown type
            request(fe, 1, 8, 99, 0, 0, 0, false, STATUS + 6);
            assertEquals(S_UNSUPP, roundTrip(fe, 1, 8, STATUS + 6));
            // beyond the end of the disk, and misaligned length
            request(fe, 1, 12, T_IN, DISK / 512 - 1, rbuf, 1024, true, STATUS + 7);
            assertEquals(S_IOERR, roundTrip(fe, 1, 12, STATUS + 7));
            request(fe, 1, 12, T_IN, 0, rbuf, 100, true, STATUS + 7);
            assertEquals(S_IOERR, roundTrip(fe, 1, 12, STATUS + 7));
        }
    }

    @Test
    public void indirectDescriptorsWithEventIdx() throws Exception {
        try (TestFrontEnd fe = new TestFrontEnd(sock)) {
            fe.setUp(1, ALL);
            byte[] data = new byte[4096];
            new Random(2).nextBytes(data);
            MemorySegment.copy(data, 0, fe.at(BUF, 4096), ValueLayout.JAVA_BYTE, 0, 4096);
            long table = BUF + 0x8000, hdr = GPA + DATA;
            for (int round = 0; round < 40; round++) { // wraps the 16-entry ring twice
                fe.header(hdr, round % 2 == 0 ? T_OUT : T_IN, 64);
                MemorySegment t = fe.at(table, 48);
                t.set(U64, 0, hdr); t.set(U32, 8, 16); t.set(U16, 12, (short) DESC_NEXT); t.set(U16, 14, (short) 1);
                t.set(U64, 16, round % 2 == 0 ? BUF : BUF + 0x4000); t.set(U32, 24, 4096);
                t.set(U16, 28, (short) (DESC_NEXT | (round % 2 == 0 ? 0 : DESC_WRITE))); t.set(U16, 30, (short) 2);
                t.set(U64, 32, STATUS); t.set(U32, 40, 1); t.set(U16, 44, (short) DESC_WRITE); t.set(U16, 46, (short) 0);
                fe.desc(0, 5, table, 48, DESC_INDIRECT, 0);
                // EVENT_IDX: ask for an interrupt after every completion
                fe.at(fe.ringGpa(0) + 16 * QSIZE + 4 + 2 * QSIZE, 2).set(U16, 0, (short) fe.usedIdx(0));
                assertEquals(S_OK, roundTrip(fe, 0, 5, STATUS));
            }
            byte[] back = new byte[4096];
            MemorySegment.copy(fe.at(BUF + 0x4000, 4096), ValueLayout.JAVA_BYTE, 0, back, 0, 4096);
            assertArrayEquals(data, back);
            assertTrue("call eventfd signalled", Native.drain(fe.call[0]));
        }
    }

    @Test
    public void badAddressFailsOnlyThatRequest() throws Exception {
        try (TestFrontEnd fe = new TestFrontEnd(sock)) {
            fe.setUp(1, ALL);
            // data buffer outside guest memory -> IOERR, the queue keeps working
            request(fe, 0, 0, T_IN, 0, GPA + MEM - 100, 512, true, STATUS);
            assertEquals(S_IOERR, roundTrip(fe, 0, 0, STATUS));
            request(fe, 0, 0, T_IN, 0, 0xffff_ffff_ffff_fe00L, 512, true, STATUS);
            assertEquals(S_IOERR, roundTrip(fe, 0, 0, STATUS));
            request(fe, 0, 0, T_IN, 0, BUF, 512, true, STATUS);
            assertEquals(S_OK, roundTrip(fe, 0, 0, STATUS));
        }
    }

    @Test
    public void loopingChainDropsTheConnectionAndANewFrontEndIsServed() throws Exception {
        try (TestFrontEnd fe = new TestFrontEnd(sock)) {
            fe.setUp(1, ALL);
            fe.header(GPA + DATA, T_IN, 0);
            fe.desc(0, 0, GPA + DATA, 16, DESC_NEXT, 1);
            fe.desc(0, 1, BUF, 512, DESC_NEXT | DESC_WRITE, 0); // back to 0: a loop
            fe.submit(0, 0);
            assertDisconnected(fe);
        }
        assertServesNewFrontEnd();
    }

    @Test
    public void truncatedAndMalformedMessagesCloseOnlyThatConnection() throws Exception {
        byte[][] bad = {
            {1, 0, 0, 0, 1, 0, 0, 0, 8, 0}, // header cut short, then EOF
        };
        for (byte[] b : bad) {
            try (TestFrontEnd fe = new TestFrontEnd(sock)) {
                fe.out.write(b);
                fe.out.flush();
            }
            assertServesNewFrontEnd();
        }
        try (TestFrontEnd fe = new TestFrontEnd(sock)) { // huge payload size
            fe.out.write(ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putInt(GET_FEATURES).putInt(1).putInt(1 << 30).array());
            assertDisconnected(fe);
        }
        try (TestFrontEnd fe = new TestFrontEnd(sock)) { // unknown request
            fe.send(200, 0, new byte[0]);
            assertDisconnected(fe);
        }
        try (TestFrontEnd fe = new TestFrontEnd(sock)) { // truncated payload of a known request
            fe.send(SET_VRING_NUM, 0, new byte[3]);
            assertDisconnected(fe);
        }
        try (TestFrontEnd fe = new TestFrontEnd(sock)) { // memory region larger than its memfd
            ByteBuffer t = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN);
            t.putInt(1).putInt(0).put(fe.region(GPA, MEM * 4, fe.memAddr, 0));
            fe.send(SET_MEM_TABLE, FLAG_NEED_REPLY, t.array(), fe.memFd);
            assertDisconnected(fe);
        }
        try (TestFrontEnd fe = new TestFrontEnd(sock)) { // vring outside guest memory
            fe.setUp(0, ALL);
            fe.send(SET_VRING_NUM, 0, TestFrontEnd.pair(0, QSIZE));
            ByteBuffer a = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN);
            a.putInt(0).putInt(0).putLong(fe.memAddr + MEM - 16).putLong(fe.memAddr).putLong(fe.memAddr).putLong(0);
            fe.send(SET_VRING_ADDR, 0, a.array());
            int k = Native.eventfd();
            fe.send(SET_VRING_KICK, 0, TestFrontEnd.u64(0), k);
            assertDisconnected(fe);
            Native.close(k);
        }
        assertServesNewFrontEnd();
    }

    @Test
    public void frontEndGoneMidIoThenReconnectResubmitsInflight() throws Exception {
        int inflightFd;
        long inflightSize;
        CountDownLatch gate = new CountDownLatch(1);
        TestFrontEnd fe = new TestFrontEnd(sock);
        try {
            fe.setUp(0, ALL);
            ByteBuffer q = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putLong(0).putLong(0).putShort((short) 1).putShort((short) QSIZE);
            fe.send(GET_INFLIGHT_FD, 0, q.array());
            ByteBuffer r = fe.reply(GET_INFLIGHT_FD);
            inflightFd = fe.receivedFd();
            inflightSize = r.getLong(0);
            ByteBuffer s = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putLong(inflightSize).putLong(0).putShort((short) 1).putShort((short) QSIZE);
            assertEquals(0, fe.acked(SET_INFLIGHT_FD, s.array(), inflightFd));
            fe.startQueue(0);
            node.gate = gate; // the write below stays in flight
            byte[] data = new byte[512];
            Arrays.fill(data, (byte) 0x5a);
            MemorySegment.copy(data, 0, fe.at(BUF, 512), ValueLayout.JAVA_BYTE, 0, 512);
            request(fe, 0, 0, T_OUT, 100, BUF, 512, false, STATUS);
            fe.submit(0, 0);
            Thread.sleep(200);
            // The front-end disappears; then the stuck request fails and is still pushed (into
            // memory the back-end still maps), but the new front-end's inflight copy marks it.
            fe.sock.close();
            // Simulate the front-end's view: the used ring is where it was before the crash.
            gate.countDown();
            Thread.sleep(200);
            node.gate = null;
            // Reconnect with the same guest memory (a fresh socket) and the inflight fd: the used
            // ring says the request completed, so nothing is resubmitted.
            TestFrontEnd fe2 = new TestFrontEnd(sock);
            try {
                fe2.setUp(0, ALL);
                assertEquals(0, fe2.acked(SET_INFLIGHT_FD, s.array(), inflightFd));
                fe2.startQueue(0);
                request(fe2, 0, 0, T_IN, 0, BUF, 512, true, STATUS);
                assertEquals(S_OK, roundTrip(fe2, 0, 0, STATUS));
            } finally {
                fe2.close();
            }
        } finally {
            fe.close();
        }
        // Now a real resubmission: mark descriptor 3 in flight by hand in the inflight memfd.
        long addr = Native.mmap(inflightFd, inflightSize, 0);
        MemorySegment inf = MemorySegment.ofAddress(addr).reinterpret(inflightSize);
        try (TestFrontEnd fe3 = new TestFrontEnd(sock)) {
            fe3.setUp(0, ALL);
            byte[] data = new byte[512];
            Arrays.fill(data, (byte) 0x33);
            MemorySegment.copy(data, 0, fe3.at(BUF, 512), ValueLayout.JAVA_BYTE, 0, 512);
            request(fe3, 0, 3, T_OUT, 200, BUF, 512, false, STATUS);
            inf.set(ValueLayout.JAVA_BYTE, 16 + 16 * 3, (byte) 1);
            inf.set(U64, 16 + 16 * 3 + 8, 7L);
            inf.set(U16, 14, (short) 0); // used_idx matches the fresh ring
            // The guest had published head 3 and the crashed back-end had popped it (no new kick).
            long avail = fe3.ringGpa(0) + 16 * QSIZE;
            fe3.at(avail + 4, 2).set(U16, 0, (short) 3);
            fe3.at(avail + 2, 2).set(U16, 0, (short) 1);
            fe3.availIdx[0] = 1;
            ByteBuffer s = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putLong(inflightSize).putLong(0).putShort((short) 1).putShort((short) QSIZE);
            assertEquals(0, fe3.acked(SET_INFLIGHT_FD, s.array(), inflightFd));
            fe3.startQueue(0); // no avail entry published: the back-end resubmits head 3 itself
            fe3.awaitUsed(0, 1);
            assertEquals(3, fe3.usedId(0, 0));
            assertEquals(S_OK, fe3.status(STATUS));
            ByteBuffer onDisk = ByteBuffer.allocate(512);
            file.read(200 * 512, onDisk);
            assertArrayEquals(data, onDisk.array());
            assertEquals(0, inf.get(ValueLayout.JAVA_BYTE, 16 + 16 * 3));
        } finally {
            Native.munmap(addr, inflightSize);
            Native.close(inflightFd);
        }
    }

    @Test
    public void readOnlyExportAdvertisesRoAndFailsWrites() throws Exception {
        export.close(true);
        export = start(1, false);
        try (TestFrontEnd fe = new TestFrontEnd(sock)) {
            assertTrue((fe.get(GET_FEATURES) & (1L << F_RO)) != 0);
            fe.setUp(1, ALL);
            request(fe, 0, 0, T_OUT, 0, BUF, 512, false, STATUS);
            assertEquals(S_IOERR, roundTrip(fe, 0, 0, STATUS));
            request(fe, 0, 0, T_IN, 0, BUF, 512, true, STATUS);
            assertEquals(S_OK, roundTrip(fe, 0, 0, STATUS));
        }
    }

    @Test
    public void listensOnAPassedFd() throws Exception {
        export.close(true);
        export = null;
        Path p = tmp.getRoot().toPath().resolve("passed.sock");
        try (org.newsclub.net.unix.AFUNIXServerSocket s = org.newsclub.net.unix.AFUNIXServerSocket.newInstance()) {
            s.bind(org.newsclub.net.unix.AFUNIXSocketAddress.of(p));
            int fd = Native.dup(org.newsclub.net.unix.FileDescriptorCast.using(s.getFileDescriptor()).as(Integer.class));
            String json = "{\"addr\":{\"type\":\"fd\",\"str\":\"" + fd + "\"}}";
            export = new VhostBlkExportDriver().create(new TestContext(node, json, true));
            try (TestFrontEnd fe = new TestFrontEnd(p)) {
                assertEquals(1, fe.get(GET_QUEUE_NUM));
            }
        }
        try {
            new VhostBlkExportDriver().create(new TestContext(node, "{\"addr\":{\"type\":\"fd\",\"str\":\"mon0\"}}", true));
            fail();
        } catch (OptionException e) {
            assertEquals("File descriptor named 'mon0' has not been found", e.getMessage());
        }
    }

    /** Every message and its precedence checked against qemu-storage-daemon 10.0.2. */
    @Test
    public void optionErrorsMatchQemu() throws Exception {
        String unix = "{\"type\":\"unix\",\"path\":\"" + sock + "x\"}", inet = "{\"type\":\"inet\",\"host\":\"x\",\"port\":\"1\"}";
        String[][] cases = {
            {"{\"addr\":" + unix + ",\"num-queues\":0}", "num-queues must be greater than 0"},
            {"{\"addr\":" + unix + ",\"logical-block-size\":1000}", "parameter logical-block-size must be a power of 2 between 512 and 2097152"},
            {"{\"addr\":" + unix + ",\"logical-block-size\":256}", "parameter logical-block-size must be a power of 2 between 512 and 2097152"},
            {"{\"addr\":" + unix + ",\"bogus\":1}", "Parameter 'bogus' is unexpected"},
            {"{\"num-queues\":1}", "Parameter 'addr' is missing"},
            {"{\"addr\":" + inet + "}", "Only socket address types 'unix' and 'fd' are supported"},
            // the semantic checks come in vu_blk_exp_create's order: block size, queues, address type
            {"{\"addr\":" + inet + ",\"num-queues\":0}", "num-queues must be greater than 0"},
            {"{\"addr\":" + inet + ",\"num-queues\":0,\"logical-block-size\":100}", "parameter logical-block-size must be"},
        };
        for (String[] c : cases) {
            try {
                new VhostBlkExportDriver().create(new TestContext(node, c[0], true)).close(true);
                fail("accepted " + c[0]);
            } catch (OptionException e) {
                assertEquals(c[0], c[1], e.getMessage().substring(0, Math.min(e.getMessage().length(), c[1].length())));
            }
        }
    }

    /** readOptions reports QAPI's errors (missing, unexpected, ill-typed) before core looks at the node, as QSD does. */
    @Test
    public void readOptionsReportsQapiErrorsFirst() throws Exception {
        String[][] cases = {
            {"{\"addr\":{\"type\":\"inet\"}}", "Parameter 'addr.host' is missing"},
            {"{\"addr\":{\"type\":\"unix\"}}", "Parameter 'addr.path' is missing"},
            {"{\"addr\":{\"type\":\"vsock\",\"cid\":\"1\"}}", "Parameter 'addr.port' is missing"},
            {"{\"addr\":{\"type\":\"unix\",\"path\":\"/x\",\"bogus\":1}}", "Parameter 'addr.bogus' is unexpected"},
            {"{\"addr\":{\"type\":\"unix\",\"path\":\"/x\"},\"num-queues\":70000}", "Parameter 'num-queues' expects uint16_t"},
            {"{\"addr\":{\"type\":\"unix\",\"path\":\"/x\"},\"num-queues\":-1}", "Parameter 'num-queues' expects uint16_t"},
        };
        for (String[] c : cases) {
            try {
                new VhostBlkExportDriver().readOptions(io.jsd.options.Options.of((com.fasterxml.jackson.databind.node.ObjectNode)
                        new com.fasterxml.jackson.databind.ObjectMapper().readTree(c[0])));
                fail("accepted " + c[0]);
            } catch (OptionException e) {
                assertEquals(c[0], c[1], e.getMessage());
            }
        }
        // nothing acted on: no socket was created
        assertTrue(new VhostBlkExportDriver().readOptions(io.jsd.options.Options.of((com.fasterxml.jackson.databind.node.ObjectNode)
                new com.fasterxml.jackson.databind.ObjectMapper().readTree("{\"addr\":{\"type\":\"unix\",\"path\":\"" + sock + "y\"}}"))));
        assertFalse(Files.exists(Path.of(sock + "y")));
    }

    void assertDisconnected(TestFrontEnd fe) throws Exception {
        try {
            int r = fe.in.read();
            assertEquals(-1, r);
        } catch (IOException e) {
            // reset: also a disconnect
        }
    }

    void assertServesNewFrontEnd() throws Exception {
        try (TestFrontEnd fe = new TestFrontEnd(sock)) {
            fe.setUp(1, ALL);
            request(fe, 0, 0, T_IN, 0, BUF, 512, true, STATUS);
            assertEquals(S_OK, roundTrip(fe, 0, 0, STATUS));
        }
    }
}
