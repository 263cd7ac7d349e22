package io.jsd.nbd.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.Assume;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The built daemon ({@code distribution/target/jsd/bin/jsd}, skipped when not built yet) started
 * exactly as a user would, next to qemu-storage-daemon on the same images.
 */
public class DaemonEndToEndTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Path jsd;
    private Path dir;

    @Before
    public void setUp() throws Exception {
        jsd = Path.of(System.getProperty("user.dir")).resolve("../../distribution/target/jsd/bin/jsd").normalize();
        Assume.assumeTrue("build the distribution first (mvn -pl distribution -am package)", Files.isExecutable(jsd));
        Peers.assume("qemu-img", "qemu-io", "qemu-storage-daemon", "nbdinfo");
        dir = tmp.getRoot().toPath();
    }

    /** Runs {@code cmd} (a daemon) until {@code sock} appears, gives it to {@code body}, then SIGTERM by PID. */
    private <T> T withDaemon(List<String> cmd, Path sock, Body<T> body) throws Exception {
        Path log = Files.createTempFile(dir, "daemon", ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.exists(sock) && p.isAlive() && System.nanoTime() < deadline) Thread.sleep(20);
            assertTrue("daemon did not come up: " + Files.readString(log), Files.exists(sock));
            return body.run("nbd+unix:///disk?socket=" + sock);
        } finally {
            p.destroy();
            if (!p.waitFor(15, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    interface Body<T> {
        T run(String uri) throws Exception;
    }

    private List<String> daemon(String program, Path sock, String... blockdevs) {
        List<String> cmd = new ArrayList<>(List.of(program));
        for (String b : blockdevs) {
            cmd.add("--blockdev");
            cmd.add(b);
        }
        cmd.addAll(List.of("--nbd-server", "addr.type=unix,addr.path=" + sock,
                "--export", "type=nbd,id=exp0,node-name=top,name=disk,writable=on,allocation-depth=on"));
        return cmd;
    }

    private static List<String> maps(String uri) throws Exception {
        return List.of(Peers.run("nbdinfo", "--map", uri).ok().out(),
                Peers.run("nbdinfo", "--map=qemu:allocation-depth", uri).ok().out());
    }

    @Test
    public void rawImageServedLikeQsd() throws Exception {
        Path img = dir.resolve("a.raw");
        Peers.run("qemu-img", "create", "-f", "raw", img.toString(), "64M").ok();
        Peers.run("qemu-io", "-f", "raw", "-c", "write -P 1 0 1M", "-c", "write -P 2 8M 64k", img.toString()).ok();
        String[] devs = {"driver=file,node-name=file0,filename=" + img, "driver=raw,node-name=top,file=file0"};
        List<String> qsd = withDaemon(daemon("qemu-storage-daemon", dir.resolve("q.sock"), devs), dir.resolve("q.sock"),
                DaemonEndToEndTest::maps);
        Path copy = dir.resolve("copy.raw");
        List<String> ours = withDaemon(daemon(jsd.toString(), dir.resolve("j.sock"), devs), dir.resolve("j.sock"), uri -> {
            List<String> m = maps(uri);
            Peers.run("qemu-img", "convert", "-f", "raw", "-O", "raw", uri, copy.toString()).ok();
            Peers.run("qemu-io", "-f", "raw", "-c", "write -P 0x33 16M 1M", "-c", "write -z 0 64k", "-c", "discard 8M 64k",
                    "-c", "read -P 0x33 16M 1M", "-c", "read -P 0 0 64k", uri).ok();
            return m;
        });
        assertEquals(qsd, ours);
        Peers.run("qemu-io", "-f", "raw", "-c", "read -P 1 64k 960k", "-c", "read -P 0x33 16M 1M", img.toString()).ok();
        Peers.run("qemu-io", "-f", "raw", "-c", "read -P 2 8M 64k", copy.toString()).ok();
    }

    @Test
    public void qcow2ChainServedLikeQsd() throws Exception {
        Path base = dir.resolve("base.qcow2");
        Path top = dir.resolve("top.qcow2");
        Peers.run("qemu-img", "create", "-f", "qcow2", base.toString(), "16M").ok();
        Peers.run("qemu-io", "-f", "qcow2", "-c", "write -P 1 0 2M", "-c", "write -z 4M 1M", base.toString()).ok();
        Peers.run("qemu-img", "create", "-f", "qcow2", "-b", base.toString(), "-F", "qcow2", top.toString()).ok();
        Peers.run("qemu-io", "-f", "qcow2", "-c", "write -P 3 1M 2M", "-c", "write -z 8M 64k", top.toString()).ok();
        String[] devs = {"driver=qcow2,node-name=top,file.driver=file,file.filename=" + top};
        List<String> qsd = withDaemon(daemon("qemu-storage-daemon", dir.resolve("q.sock"), devs), dir.resolve("q.sock"),
                DaemonEndToEndTest::maps);
        List<String> ours = withDaemon(daemon(jsd.toString(), dir.resolve("j.sock"), devs), dir.resolve("j.sock"), uri -> {
            Peers.run("qemu-img", "compare", "-U", "-f", "qcow2", "-F", "raw", top.toString(), uri).ok(); // -U: JSD holds the image locks
            return maps(uri);
        });
        assertEquals(qsd, ours);
    }

    @Test
    public void tlsWithObjectFromTheCommandLine() throws Exception {
        Peers.assume("openssl");
        Path certs = tmp.newFolder("certs").toPath();
        Peers.run("bash", Path.of(getClass().getResource("/make-certs.sh").toURI()).toString(), certs.toString()).ok();
        Path img = dir.resolve("t.raw");
        Peers.run("qemu-img", "create", "-f", "raw", img.toString(), "4M").ok();
        Path sock = dir.resolve("t.sock");
        List<String> cmd = List.of(jsd.toString(),
                "--object", "tls-creds-x509,id=tls0,dir=" + certs.resolve("server") + ",endpoint=server",
                "--blockdev", "driver=file,node-name=top,filename=" + img,
                "--nbd-server", "addr.type=unix,addr.path=" + sock + ",tls-creds=tls0",
                "--export", "type=nbd,id=e,node-name=top,name=disk,writable=on");
        withDaemon(cmd, sock, uri -> {
            Peers.run("qemu-io", "--object", "tls-creds-x509,id=tls0,endpoint=client,dir=" + certs.resolve("client"),
                    "--image-opts", "driver=nbd,server.type=unix,server.path=" + sock + ",export=disk,tls-creds=tls0,tls-hostname=localhost",
                    "-c", "write -P 0x44 0 64k", "-c", "read -P 0x44 0 64k").ok();
            String out = Peers.run("nbdinfo", "nbds+unix:///disk?socket=" + sock + "&tls-certificates=" + certs.resolve("client")).ok().out();
            assertTrue(out, out.contains("with TLS"));
            assertTrue("plain clients are refused", Peers.run("nbdinfo", uri).exit() != 0);
            return null;
        });
    }

    @Test
    public void exportBeforeServerFailsLikeQsd() throws Exception {
        Path img = dir.resolve("b.raw");
        Peers.run("qemu-img", "create", "-f", "raw", img.toString(), "1M").ok();
        Peers.Result r = Peers.run(List.of(jsd.toString(), "--blockdev", "driver=file,node-name=f,filename=" + img,
                "--export", "type=nbd,id=e,node-name=f"), 60);
        assertEquals(1, r.exit());
        assertTrue(r.out(), r.out().contains("--export type=nbd,id=e,node-name=f: NBD server not running"));
    }
}
