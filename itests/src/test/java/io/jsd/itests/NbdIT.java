package io.jsd.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.Assume;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The NBD export of bin/jsd, started as a user would, next to qemu-storage-daemon on the same image:
 * nbdinfo --map (base:allocation) and --map=qemu:allocation-depth must be equal, and data written
 * by qemu-io must land in the image.
 */
public class NbdIT {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private static boolean installed(String tool) {
        for (String p : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(p, tool))) return true;
        }
        return false;
    }

    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + String.join(" ", cmd));
        }
        String s = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) throw new AssertionError(String.join(" ", cmd) + " -> exit " + p.exitValue() + "\n" + s);
        return s;
    }

    /** Starts the daemon serving {@code top} as "disk", returns both maps, stops it. */
    private List<String> maps(Daemon.Kind kind, Path image, String format, boolean writeSomething) throws Exception {
        Path dir = tmp.newFolder().toPath();
        List<String> args = List.of("--blockdev", "driver=file,node-name=file0,filename=" + image,
                "--blockdev", "driver=" + format + ",node-name=top,file=file0",
                "--nbd-server", "addr.type=unix,addr.path={dir}/nbd.sock",
                "--export", "type=nbd,id=exp0,node-name=top,name=disk,writable=on,allocation-depth=on",
                "--pidfile", "{dir}/pid");
        try (Daemon d = Daemon.start(kind, dir, args)) {
            Path sock = d.socket("nbd.sock");
            // The pidfile, not the socket file, says "ready": bind() creates the file before listen().
            Path pid = d.socket("pid");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!(Files.exists(pid) && Files.size(pid) > 0) && d.process.isAlive() && System.nanoTime() < deadline) Thread.sleep(20);
            assertTrue(kind + " did not start: " + d.stderr(), Files.exists(pid));
            String uri = "nbd+unix:///disk?socket=" + sock;
            List<String> m = List.of(run("nbdinfo", "--map", uri), run("nbdinfo", "--map=qemu:allocation-depth", uri));
            if (writeSomething) {
                run("qemu-io", "-f", "raw", "-c", "write -P 0x5c 12M 1M", "-c", "aio_write -P 0x5d 13M 64k", "-c", "aio_flush",
                        "-c", "read -P 0x5c 12M 1M", "-c", "read -P 0x5d 13M 64k", uri);
            }
            return m;
        }
    }

    @Test
    public void rawAndQcow2MapsEqualQsd() throws Exception {
        Daemon.assumeQsd();
        Assume.assumeTrue(installed("nbdinfo") && installed("qemu-img") && installed("qemu-io"));
        Path raw = tmp.getRoot().toPath().resolve("a.raw");
        run("qemu-img", "create", "-f", "raw", raw.toString(), "32M");
        run("qemu-io", "-f", "raw", "-c", "write -P 1 0 1M", "-c", "write -P 2 8M 64k", raw.toString());
        assertEquals(maps(Daemon.Kind.QSD, raw, "raw", false), maps(Daemon.Kind.JSD, raw, "raw", true));
        run("qemu-io", "-f", "raw", "-c", "read -P 0x5c 12M 1M", "-c", "read -P 0x5d 13M 64k", raw.toString());

        Path base = tmp.getRoot().toPath().resolve("base.qcow2");
        Path top = tmp.getRoot().toPath().resolve("top.qcow2");
        run("qemu-img", "create", "-f", "qcow2", base.toString(), "32M");
        run("qemu-io", "-f", "qcow2", "-c", "write -P 1 0 2M", "-c", "write -z 4M 1M", base.toString());
        run("qemu-img", "create", "-f", "qcow2", "-b", base.toString(), "-F", "qcow2", top.toString());
        run("qemu-io", "-f", "qcow2", "-c", "write -P 3 1M 2M", "-c", "write -z 8M 64k", top.toString());
        assertEquals(maps(Daemon.Kind.QSD, top, "qcow2", false), maps(Daemon.Kind.JSD, top, "qcow2", false));
    }
}
