package io.jsd.nbd.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.jsd.export.Export;
import io.jsd.options.Options;
import io.jsd.qmp.QmpException;

/** nbd-server-start / -stop and the nbd export type: arguments, QSD's errors, flags, deletion. */
public class ServerControlTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private static Options keyval(String json) throws Exception {
        return new Options((ObjectNode) TestServer.JSON.readTree(json), "", true);
    }

    private static String error(ThrowingRunnable r) {
        try {
            r.run();
        } catch (Exception e) {
            return e.getMessage();
        }
        fail("no error");
        return null;
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    public void commandLineKeyvalArgumentsAndQsdErrors() throws Exception {
        NbdService svc = new NbdService();
        Path sock = tmp.getRoot().toPath().resolve("s");
        NbdServerStart start = new NbdServerStart(svc, null);
        NbdExportDriver driver = new NbdExportDriver(svc);
        MemNode node = new MemNode(1 << 20);
        assertEquals("NBD server not running", error(() -> driver.create(
                new StubContext("e0", new StubHandle("n0", node, false), null, true))));
        // --nbd-server addr.type=unix,addr.path=...,max-connections=1: all strings, as keyval gives them
        Options args = keyval("{\"addr\":{\"type\":\"unix\",\"path\":\"" + sock + "\"},\"max-connections\":\"1\","
                + "\"handshake-max-seconds\":\"5\"}");
        start.execute(args, () -> true);
        args.checkAllUsed();
        assertTrue(Files.exists(sock));
        assertEquals("NBD server already running", error(() -> start.execute(keyval(
                "{\"addr\":{\"type\":\"unix\",\"path\":\"" + sock + "x\"}}"), () -> true)));
        NbdExport e = (NbdExport) driver.create(new StubContext("e0", new StubHandle("n0", node, false), null, true));
        assertEquals("name defaults to the node name", "n0", e.name);
        assertEquals("no MULTI_CONN with max-connections=1", 0, e.flags & Nbd.FLAG_CAN_MULTI_CONN);
        assertEquals("NBD server already has export named 'n0'", error(() -> driver.create(
                new StubContext("e1", new StubHandle("n0", node, false), null, true))));
        ObjectNode withBitmap = (ObjectNode) TestServer.JSON.readTree("{\"bitmaps\":[\"b0\"]}");
        assertEquals("Bitmap 'b0' is not found", error(() -> driver.create(
                new StubContext("e2", new StubHandle("n2", node, false), withBitmap, true))));
        NbdServerStop stop = new NbdServerStop(svc, null);
        stop.execute(Options.of(TestServer.JSON.createObjectNode()), () -> false);
        assertFalse(Files.exists(sock));
        assertEquals("NBD server not running", error(() -> stop.execute(Options.of(TestServer.JSON.createObjectNode()), () -> false)));
    }

    @Test
    public void qmpLegacyAddressAndBadArguments() throws Exception {
        NbdService svc = new NbdService();
        NbdServerStart start = new NbdServerStart(svc, null);
        Path sock = tmp.getRoot().toPath().resolve("q");
        String err = error(() -> start.execute(Options.of((ObjectNode) TestServer.JSON.readTree(
                "{\"addr\":{\"type\":\"unix\"}}")), () -> false));
        assertEquals("Parameter 'addr.path' is missing", err);
        err = error(() -> start.execute(Options.of((ObjectNode) TestServer.JSON.readTree(
                "{\"addr\":{\"type\":\"pipe\"}}")), () -> false));
        assertEquals("Parameter 'addr.type' does not accept value 'pipe'", err);
        err = error(() -> start.execute(Options.of((ObjectNode) TestServer.JSON.readTree(
                "{\"addr\":{\"type\":\"unix\",\"path\":\"/x\"},\"tls-creds\":\"nope\"}")), () -> false));
        assertEquals("No TLS credentials with id 'nope'", err);
        start.execute(Options.of((ObjectNode) TestServer.JSON.readTree(
                "{\"addr\":{\"type\":\"unix\",\"data\":{\"path\":\"" + sock + "\"}}}")), () -> false);
        assertTrue(Files.exists(sock));
        svc.deactivate();
    }

    @Test
    public void inetListener() throws Exception {
        Peers.assume("qemu-img");
        NbdService svc = new NbdService();
        new NbdServerStart(svc, null).execute(keyval(
                "{\"addr\":{\"type\":\"inet\",\"host\":\"127.0.0.1\",\"port\":\"0\"}}"), () -> true);
        int port = ((java.net.InetSocketAddress) svc.current().localAddress()).getPort();
        new NbdExportDriver(svc).create(new StubContext("e", new StubHandle("disk", new MemNode(1 << 20), false), null, true));
        String out = Peers.run("qemu-img", "info", "nbd://127.0.0.1:" + port + "/disk").ok().out();
        assertTrue(out, out.contains("virtual size: 1 MiB"));
        Path local = tmp.getRoot().toPath().resolve("tcp.raw");
        Peers.run("qemu-img", "convert", "-f", "raw", "-O", "raw", "nbd://127.0.0.1:" + port + "/disk", local.toString()).ok();
        Peers.run("qemu-img", "convert", "-n", "-f", "raw", "-O", "raw", local.toString(), "nbd://127.0.0.1:" + port + "/disk").ok();
        Peers.run("qemu-img", "compare", "-f", "raw", "-F", "raw", local.toString(), "nbd://127.0.0.1:" + port + "/disk").ok();
        svc.deactivate();
    }

    @Test
    public void inheritedListeningSocket() throws Exception {
        Peers.assume("qemu-img");
        Path path = tmp.getRoot().toPath().resolve("fd.sock");
        try (org.newsclub.net.unix.AFUNIXServerSocket listening = org.newsclub.net.unix.AFUNIXServerSocket.bindOn(path, true)) {
            // The server owns (and closes) the fd it is given, as the daemon owns an inherited one: hand it a dup.
            int fd = org.newsclub.net.unix.FileDescriptorCast.duplicating(listening.getFileDescriptor()).as(Integer.class);
            NbdService svc = new NbdService();
            new NbdServerStart(svc, null).execute(keyval("{\"addr\":{\"type\":\"fd\",\"str\":\"" + fd + "\"}}"), () -> true);
            new NbdExportDriver(svc).create(new StubContext("e", new StubHandle("disk", new MemNode(1 << 20), false), null, true));
            String out = Peers.run("qemu-img", "info", "nbd+unix:///disk?socket=" + path).ok().out();
            assertTrue(out, out.contains("virtual size: 1 MiB"));
            svc.deactivate();
        }
        assertEquals("File descriptor named 'nope' has not been found", error(() -> new NbdServerStart(new NbdService(), null)
                .execute(keyval("{\"addr\":{\"type\":\"fd\",\"str\":\"nope\"}}"), () -> true)));
    }

    @Test
    public void maxConnectionsHoldsBackFurtherClients() throws Exception {
        try (TestServer server = new TestServer(tmp.getRoot().toPath(), "\"max-connections\":1", null)) {
            server.export("disk", new MemNode(1 << 20), true, null);
            RawClient first = new RawClient(server.socket);
            first.greet();
            assertEquals(Nbd.REP_ACK, first.go("disk"));
            try (RawClient second = new RawClient(server.socket)) {
                java.util.concurrent.FutureTask<java.nio.ByteBuffer> greeting = new java.util.concurrent.FutureTask<>(() -> second.read(18));
                Thread.ofVirtual().start(greeting);
                Thread.sleep(300);
                assertFalse("the second client waits while the first is connected", greeting.isDone());
                first.close();
                assertEquals(Nbd.NBDMAGIC, greeting.get(10, java.util.concurrent.TimeUnit.SECONDS).getLong());
            }
        }
    }

    @Test
    public void hardDeleteDropsClientsSafeWaits() throws Exception {
        try (TestServer server = new TestServer(tmp.getRoot().toPath())) {
            Export e = server.export("disk", new MemNode(1 << 20), true, null);
            try (RawClient c = new RawClient(server.socket)) {
                c.greet();
                assertEquals(Nbd.REP_ACK, c.go("disk"));
                assertTrue(e.inUse());
                e.close(true);
                assertTrue(c.closedByServer());
            }
            assertFalse(e.inUse());
            try (RawClient c = new RawClient(server.socket)) {
                c.greet();
                assertEquals("deleted export is gone", Nbd.REP_ERR_UNKNOWN, c.go("disk"));
            }
        }
    }

    /** A registry that creates exports with this bundle's driver, like core would. */
    static final class FakeRegistry implements io.jsd.export.ExportRegistry {
        final NbdExportDriver driver;
        final java.util.Map<String, Export> exports = new java.util.LinkedHashMap<>();
        final java.util.Map<String, ObjectNode> options = new java.util.LinkedHashMap<>();

        FakeRegistry(NbdService svc) { driver = new NbdExportDriver(svc); }

        @Override
        public void add(Options o, io.jsd.qmp.QmpSession session) throws Exception {
            ObjectNode j = o.json().deepCopy();
            String id = j.remove("id").asText();
            String node = j.remove("node-name").asText();
            boolean writable = j.remove("writable").asBoolean();
            j.remove("type");
            options.put(id, o.json());
            exports.put(id, driver.create(new StubContext(id, new StubHandle(node, new MemNode(1 << 20), !writable), j, writable)));
        }

        @Override
        public void delete(String id, boolean hard) {
            Export e = exports.remove(id);
            if (e != null) e.close(hard);
        }

        @Override
        public java.util.List<ObjectNode> describe() {
            return exports.keySet().stream().map(id -> TestServer.JSON.createObjectNode().put("id", id)).toList();
        }
    }

    @Test
    public void deprecatedAddAndRemove() throws Exception {
        try (TestServer server = new TestServer(tmp.getRoot().toPath())) {
            FakeRegistry reg = new FakeRegistry(server.service);
            NbdServerAdd add = new NbdServerAdd(server.service, reg, null);
            add.execute(Options.of((ObjectNode) TestServer.JSON.readTree("{\"device\":\"n0\",\"writable\":true}")), () -> false);
            assertEquals("{\"type\":\"nbd\",\"id\":\"n0\",\"node-name\":\"n0\",\"writable\":true,\"name\":\"n0\"}",
                    reg.options.get("n0").toString());
            try (RawClient c = new RawClient(server.socket)) {
                c.greet();
                assertEquals(Nbd.REP_ACK, c.go("n0"));
            }
            NbdServerRemove remove = new NbdServerRemove(server.service, reg);
            assertEquals("Export 'x' is not found", error(() -> remove.execute(
                    Options.of((ObjectNode) TestServer.JSON.readTree("{\"name\":\"x\"}")), () -> false)));
            remove.execute(Options.of((ObjectNode) TestServer.JSON.readTree("{\"name\":\"n0\",\"mode\":\"hard\"}")), () -> false);
            assertTrue(reg.exports.isEmpty());
        }
    }

    @Test
    public void qmpErrorsAreQmpExceptions() throws Exception {
        NbdService svc = new NbdService();
        try {
            new NbdServerStop(svc, null).execute(Options.of(TestServer.JSON.createObjectNode()), () -> false);
            fail();
        } catch (QmpException e) {
            assertEquals(QmpException.GENERIC_ERROR, e.errorClass());
        }
    }
}
