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
        err = error(() -> start.execute(Options.of((ObjectNode) TestServer.JSON.readTree(
                "{\"addr\":{\"type\":\"unix\",\"path\":\"/x\"},\"tls-authz\":\"a\"}")), () -> false));
        assertEquals("tls-authz is not supported without tls-creds", err);
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
