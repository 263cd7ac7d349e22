package io.jsd.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * bin/jsd's command line against qemu-storage-daemon's: the same bad options give the same message
 * (with JSD's name) and exit 1, leaving nothing running; -h/-V; pidfile; daemonize; signals.
 */
public class CommandLineIT {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    /** Options that QSD and JSD refuse with the same message, independent of the block layer. */
    static final List<List<String>> BAD = List.of(
            List.of("--foo"), List.of("-x"), List.of("--blockdev"), List.of("--foo=bar"), List.of("--daemonize=1"),
            List.of("--blockdev", "{bad"), List.of("--blockdev", "=x"), List.of("--blockdev", "null-co,node-name"),
            List.of("--blockdev", "null-co,node-name=a,a.b=1,a=2"),
            List.of("--chardev", "bogus,id=x"), List.of("--chardev", "socket,id=x"),
            List.of("--chardev", "socket,path={dir}/z.sock,server=on,wait=off"),
            List.of("--chardev", "socket,id=x,host=127.0.0.1,port=0,server=on,wait=off,bogus=1"),
            List.of("--monitor", "foo"), List.of("--monitor", "chardev=foo,mode=readline"),
            List.of("--chardev", "socket,id=m,path={dir}/m.sock,server=on,wait=off", "--monitor", "m,mode=readline"),
            List.of("--chardev", "socket,id=m,path={dir}/m.sock,server=on,wait=off", "--monitor", "m,pretty=maybe"),
            List.of("--object", "bogus,id=x"), List.of("--object", "secret,id=s"), List.of("--object", "iothread"),
            List.of("--object", "iothread,id=i,poll-max-ns=x"),
            List.of("--object", "iothread,id=i", "--object", "iothread,id=i"),
            List.of("--export", "help"), List.of("--blockdev", "help"), List.of("--monitor", "help"),
            List.of("positional"), List.of("--daemonize", "--chardev", "stdio,id=s"),
            List.of("--pidfile", "/nonexistent-dir/pid"),
            // Through the block layer's commands (blockdev-add, nbd-server-start, block-export-add):
            List.of("--blockdev", "driver=null-co,node-name=a,size=x"), List.of("--blockdev", "null-co,node-name=a,,b"),
            List.of("--nbd-server", "addr.type=unix"), List.of("--export", "nbd,id=e,node-name=x"),
            List.of("--blockdev", "null-co,node-name=a", "--blockdev", "null-co,node-name=a"));

    @Test
    public void badOptionsMatchQsd() throws Exception {
        Daemon.assumeQsd();
        List<String> mismatches = new ArrayList<>();
        for (List<String> args : BAD) {
            Path dq = tmp.newFolder().toPath(), dj = tmp.newFolder().toPath();
            Daemon.Result q = Daemon.run(Daemon.Kind.QSD, dq, args, 30);
            Daemon.Result j = Daemon.run(Daemon.Kind.JSD, dj, args, 60);
            String qErr = q.stderr().replace("qemu-storage-daemon:", "jsd:").replace(dq.toString(), "<dir>");
            String jErr = j.stderr().replace(dj.toString(), "<dir>");
            if (q.exit() != j.exit() || !qErr.equals(jErr)) {
                mismatches.add(args + ": QSD " + q.exit() + " " + qErr.strip() + " | JSD " + j.exit() + " " + jErr.strip());
            }
            assertEquals(args + " exits 1", 1, j.exit());
        }
        assertEquals(String.join("\n", mismatches), 0, mismatches.size());
    }

    @Test
    public void helpAndVersion() throws Exception {
        Daemon.Result h = Daemon.run(Daemon.Kind.JSD, tmp.newFolder().toPath(), List.of("-h"), 60);
        assertEquals(0, h.exit());
        assertTrue(h.stdout(), h.stdout().startsWith("Usage: jsd [options]"));
        Daemon.Result v = Daemon.run(Daemon.Kind.JSD, tmp.newFolder().toPath(), List.of("--version"), 60);
        assertEquals(0, v.exit());
        assertTrue(v.stdout(), v.stdout().contains("version"));
        Daemon.Result t = Daemon.run(Daemon.Kind.JSD, tmp.newFolder().toPath(), List.of("-T", "help"), 60);
        assertEquals(0, t.exit());
    }

    @Test
    public void objectHelpMatchesQsd() throws Exception {
        Daemon.assumeQsd();
        for (List<String> args : List.of(List.of("--object", "help"), List.of("--object", "iothread,help"))) {
            Daemon.Result q = Daemon.run(Daemon.Kind.QSD, tmp.newFolder().toPath(), args, 30);
            Daemon.Result j = Daemon.run(Daemon.Kind.JSD, tmp.newFolder().toPath(), args, 60);
            assertEquals(args.toString(), q.exit(), j.exit());
            assertEquals(args.toString(), q.stdout(), j.stdout());
        }
    }

    @Test
    public void pidfileWrittenLockedAndRemoved() throws Exception {
        Path dir = tmp.newFolder().toPath();
        Path pid = dir.resolve("jsd.pid");
        try (Daemon d = Daemon.start(Daemon.Kind.JSD, dir, List.of("--pidfile", pid.toString(),
                "--chardev", "socket,id=m0,path={dir}/qmp.sock,server=on,wait=off", "--monitor", "m0"));
             QmpClient c = QmpClient.connect(d.socket("qmp.sock"), d.process)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.exists(pid) && System.nanoTime() < deadline) Thread.sleep(10);
            assertEquals(Long.toString(d.process.pid()), Files.readString(pid).strip());
            Daemon.Result second = Daemon.run(Daemon.Kind.JSD, tmp.newFolder().toPath(), List.of("--pidfile", pid.toString()), 60);
            assertEquals(1, second.exit());
            assertEquals("jsd: cannot create PID file: Cannot lock pid file: Resource temporarily unavailable\n", second.stderr());
            assertEquals(Long.toString(d.process.pid()), Files.readString(pid).strip());
            c.exchange("{\"execute\":\"qmp_capabilities\"}");
            assertTrue(c.exchange("{\"execute\":\"quit\"}").has("return"));
            assertTrue("exits after quit", d.process.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, d.process.exitValue());
        }
        assertFalse("pidfile removed at exit", Files.exists(pid));
    }

    /** JSD's lock is the one qemu takes (fcntl): a pidfile QSD holds is refused, with QSD's message. */
    @Test
    public void pidfileHeldByQsdIsRefused() throws Exception {
        Daemon.assumeQsd();
        Path dir = tmp.newFolder().toPath();
        Path pid = dir.resolve("qsd.pid");
        try (Daemon q = Daemon.start(Daemon.Kind.QSD, dir, List.of("--pidfile", pid.toString(),
                "--chardev", "socket,id=m0,path={dir}/qmp.sock,server=on,wait=off", "--monitor", "m0"));
             QmpClient c = QmpClient.connect(q.socket("qmp.sock"), q.process)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.exists(pid) && System.nanoTime() < deadline) Thread.sleep(10);
            Daemon.Result j = Daemon.run(Daemon.Kind.JSD, tmp.newFolder().toPath(), List.of("--pidfile", pid.toString()), 60);
            assertEquals(1, j.exit());
            assertEquals("jsd: cannot create PID file: Cannot lock pid file: Resource temporarily unavailable\n", j.stderr());
            assertEquals(Long.toString(q.process.pid()), Files.readString(pid).strip());
        }
    }

    @Test
    public void daemonizeReturnsOnceReady() throws Exception {
        Path dir = tmp.newFolder().toPath();
        Path pid = dir.resolve("jsd.pid");
        Daemon.Result r;
        try {
            r = Daemon.run(Daemon.Kind.JSD, dir, List.of("--daemonize", "--pidfile", pid.toString(),
                    "--chardev", "socket,id=m0,path={dir}/qmp.sock,server=on,wait=off", "--monitor", "m0"), 120);
        } catch (Exception | Error e) {
            stopByPidfile(pid);
            throw e;
        }
        if (r.exit() != 0) stopByPidfile(pid); // a parent that failed or timed out must not leave its daemon
        assertEquals(r.stderr(), 0, r.exit());
        assertTrue("pidfile exists when the parent returns", Files.exists(pid));
        assertTrue("socket exists when the parent returns", Files.exists(dir.resolve("qmp.sock")));
        ProcessHandle daemon = ProcessHandle.of(Long.parseLong(Files.readString(pid).strip())).orElseThrow();
        try (QmpClient c = QmpClient.connect(dir.resolve("qmp.sock"), null)) {
            c.exchange("{\"execute\":\"qmp_capabilities\"}");
            assertTrue(c.exchange("{\"execute\":\"quit\"}").has("return"));
            daemon.onExit().get(30, TimeUnit.SECONDS);
        } finally {
            Daemon.stop(daemon);
        }
        assertFalse(Files.exists(pid));
    }

    private static void stopByPidfile(Path pid) throws Exception {
        if (!Files.exists(pid)) return;
        String text = Files.readString(pid).strip();
        if (text.isEmpty()) return;
        ProcessHandle p = ProcessHandle.of(Long.parseLong(text)).orElse(null);
        if (p != null) Daemon.stop(p);
    }

    @Test
    public void daemonizeFailureExitsNonZero() throws Exception {
        Path dir = tmp.newFolder().toPath();
        Daemon.Result r = Daemon.run(Daemon.Kind.JSD, dir, List.of("--daemonize", "--pidfile", dir + "/p",
                "--object", "bogus,id=x"), 60);
        assertEquals(1, r.exit());
        assertEquals("jsd: --object bogus,id=x: Parameter 'qom-type' does not accept value 'bogus'\n", r.stderr());
        assertFalse(Files.exists(dir.resolve("p")));
    }

    /** SIGTERM: a clean stop, then death by the signal, as QSD does (the shell sees 143). */
    @Test
    public void sigtermStopsLikeQsd() throws Exception {
        Path dir = tmp.newFolder().toPath();
        try (Daemon d = Daemon.start(Daemon.Kind.JSD, dir, List.of("--chardev", "socket,id=m0,path={dir}/qmp.sock,server=on,wait=off", "--monitor", "m0"));
             QmpClient c = QmpClient.connect(d.socket("qmp.sock"), d.process)) {
            d.process.destroy();
            assertTrue(d.process.waitFor(30, TimeUnit.SECONDS));
            assertEquals(143, d.process.exitValue());
        }
    }
}
