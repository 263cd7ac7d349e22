package io.jsd.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import com.fasterxml.jackson.databind.JsonNode;

/** Bad clients cost only themselves: the daemon keeps serving the next one. Several monitors. */
public class BadInputIT {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private static final String CAPS = "{\"execute\":\"qmp_capabilities\"}";
    private static final String VERSION = "{\"execute\":\"query-version\"}";

    @Test
    public void tenMegabyteLineIsServedAndTheNextCommandToo() throws Exception {
        Path dir = tmp.newFolder().toPath();
        try (Daemon d = Daemon.start(Daemon.Kind.JSD, dir, List.of("--chardev", "socket,id=m0,path={dir}/q.sock,server=on,wait=off", "--monitor", "m0"));
             QmpClient c = QmpClient.connect(d.socket("q.sock"), d.process)) {
            c.exchange(CAPS);
            String id = "x".repeat(10 << 20);
            JsonNode r = c.exchange("{\"execute\":\"query-version\",\"id\":\"" + id + "\"}");
            assertEquals(id, r.path("id").asText());
            assertTrue(r.has("return"));
            assertTrue(c.exchange(VERSION).has("return"));
        }
    }

    @Test
    public void clientLeavingMidCommandDoesNotStopTheDaemon() throws Exception {
        Path dir = tmp.newFolder().toPath();
        try (Daemon d = Daemon.start(Daemon.Kind.JSD, dir, List.of("--chardev", "socket,id=m0,path={dir}/q.sock,server=on,wait=off", "--monitor", "m0"))) {
            try (QmpClient c = QmpClient.connect(d.socket("q.sock"), d.process)) {
                c.exchange(CAPS);
                c.sendRaw("{\"execute\":\"query-vers");
            }
            try (QmpClient c = QmpClient.connect(d.socket("q.sock"), d.process)) {
                // A new client starts in negotiation mode again.
                assertEquals("CommandNotFound", c.exchange(VERSION).path("error").path("class").asText());
                c.exchange(CAPS);
                c.sendRaw(("{\"execute\":\"query-version\"}\n").repeat(200));
            }
            try (QmpClient c = QmpClient.connect(d.socket("q.sock"), d.process)) {
                c.exchange(CAPS);
                assertTrue(c.exchange(VERSION).has("return"));
            }
        }
    }

    /** As with QSD, a monitor serves one client at a time; the next gets its greeting when the first leaves. */
    @Test
    public void secondClientWaitsForTheFirst() throws Exception {
        Path dir = tmp.newFolder().toPath();
        try (Daemon d = Daemon.start(Daemon.Kind.JSD, dir, List.of("--chardev", "socket,id=m0,path={dir}/q.sock,server=on,wait=off", "--monitor", "m0"));
             QmpClient first = QmpClient.connect(d.socket("q.sock"), d.process)) {
            first.exchange(CAPS);
            Thread t = Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                first.close();
            });
            try (QmpClient second = QmpClient.connect(d.socket("q.sock"), d.process)) {
                second.exchange(CAPS);
                assertTrue(second.exchange(VERSION).has("return"));
            }
            t.join();
        }
    }

    @Test
    public void severalMonitorsUnixAndTcp() throws Exception {
        Path dir = tmp.newFolder().toPath();
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        try (Daemon d = Daemon.start(Daemon.Kind.JSD, dir, List.of(
                "--chardev", "socket,id=m0,path={dir}/a.sock,server=on,wait=off", "--monitor", "m0",
                "--chardev", "socket,id=m1,path={dir}/b.sock,server=on,wait=off", "--monitor", "chardev=m1,mode=control",
                "--chardev", "socket,id=m2,host=127.0.0.1,port=" + port + ",server=on,wait=off", "--monitor", "m2"));
             QmpClient a = QmpClient.connect(d.socket("a.sock"), d.process);
             QmpClient b = QmpClient.connect(d.socket("b.sock"), d.process)) {
            a.exchange(CAPS);
            b.exchange(CAPS);
            assertTrue(a.exchange(VERSION).has("return"));
            assertTrue(b.exchange(VERSION).has("return"));
            JsonNode chardevs = a.exchange("{\"execute\":\"query-chardev\"}");
            assertEquals(chardevs.toString(), 3, chardevs.path("return").size());
            try (SocketChannel tcp = SocketChannel.open(new InetSocketAddress("127.0.0.1", port))) {
                java.io.InputStream in = java.nio.channels.Channels.newInputStream(tcp);
                StringBuilder greeting = new StringBuilder();
                int ch;
                while ((ch = in.read()) >= 0 && ch != '\n') greeting.append((char) ch);
                assertTrue(greeting.toString(), greeting.toString().startsWith("{\"QMP\": {\"version\""));
            }
        }
    }
}
