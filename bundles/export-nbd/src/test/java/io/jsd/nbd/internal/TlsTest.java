package io.jsd.nbd.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** STARTTLS with X.509 certificates made by openssl, driven by qemu-img and nbdinfo. */
public class TlsTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private TestServer server;
    private Path certs;

    @Before
    public void setUp() throws Exception {
        Peers.assume("openssl", "qemu-img");
        certs = tmp.newFolder("certs").toPath();
        Path script = Path.of(getClass().getResource("/make-certs.sh").toURI());
        Peers.run("bash", script.toString(), certs.toString()).ok();
        ObjectNode props = TestServer.JSON.createObjectNode();
        props.put("dir", certs.resolve("server").toString()).put("endpoint", "server");
        TestObjects objects = new TestObjects().add("tls-creds-x509", "tls0", props);
        server = new TestServer(tmp.newFolder("sock").toPath(), "\"tls-creds\":\"tls0\"", objects);
        MemNode node = new MemNode(16L << 20);
        node.write(0, ByteBuffer.wrap(new byte[] {1, 2, 3, 4}), 0);
        server.export("disk", node, true, null);
    }

    @After
    public void tearDown() throws Exception {
        if (server != null) server.close();
    }

    @Test
    public void qemuImgOverTls() throws Exception {
        String out = Peers.run("qemu-img", "info", "--output=json",
                "--object", "tls-creds-x509,id=tls0,endpoint=client,dir=" + certs.resolve("client"),
                "--image-opts", "driver=nbd,server.type=unix,server.path=" + server.socket
                        + ",export=disk,tls-creds=tls0,tls-hostname=localhost").ok().out();
        assertTrue(out, out.contains("\"virtual-size\": 16777216"));
        Peers.run("qemu-io", "--object", "tls-creds-x509,id=tls0,endpoint=client,dir=" + certs.resolve("client"),
                "--image-opts", "driver=nbd,server.type=unix,server.path=" + server.socket
                        + ",export=disk,tls-creds=tls0,tls-hostname=localhost",
                "-c", "write -P 0x77 1M 1M", "-c", "read -P 0x77 1M 1M").ok();
    }

    @Test
    public void plainClientIsRefused() throws Exception {
        Peers.Result r = Peers.run("qemu-img", "info", server.uri("disk"));
        assertTrue(r.out(), r.exit() != 0);
        try (RawClient c = new RawClient(server.socket)) {
            c.greet();
            c.option(Nbd.OPT_LIST, new byte[0]);
            assertEquals(Nbd.REP_ERR_TLS_REQD, c.optReply().type());
        }
    }

    @Test
    public void nbdinfoOverTls() throws Exception {
        Peers.assume("nbdinfo");
        String out = Peers.run("nbdinfo", "nbds+unix:///disk?socket=" + server.socket + "&tls-certificates="
                + certs.resolve("client")).ok().out();
        assertTrue(out, out.contains("with TLS") && out.contains("export-size: 16777216"));
    }
}
