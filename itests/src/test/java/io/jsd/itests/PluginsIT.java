package io.jsd.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import org.junit.After;
import org.junit.Assume;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Plugins at run time, end to end: bin/jsd runs from a private copy of the distribution (so the
 * test can edit its bundles/ folder), serves a qcow2 image over NBD, and the tests stop / start /
 * replace / remove plugins while qemu-io keeps reading and writing. Data is checked with qemu-io
 * and qemu-img check on the image after the daemon quits.
 */
public class PluginsIT {
    private static final String QCOW2 = "io.jsd.driver.qcow2";

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Path home;
    private Path dir;
    private Process daemon;
    private QmpClient qmp;

    @Before
    public void copyDistribution() throws Exception {
        Assume.assumeTrue("qemu-img and qemu-io are installed", installed("qemu-img") && installed("qemu-io"));
        Path dist = Daemon.jsdHome();
        home = tmp.newFolder("jsd").toPath();
        // bin/ and bundles/ are copied (bin/jsd finds its home from its own real path); lib/ is shared
        for (String sub : List.of("bin", "bundles")) {
            Files.createDirectories(home.resolve(sub));
            try (Stream<Path> s = Files.list(dist.resolve(sub))) {
                for (Path p : s.toList()) Files.copy(p, home.resolve(sub).resolve(p.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
        Files.createSymbolicLink(home.resolve("lib"), dist.resolve("lib"));
        dir = tmp.newFolder("run").toPath();
    }

    @After
    public void stopDaemon() throws Exception {
        if (qmp != null) qmp.close();
        if (daemon != null) Daemon.stop(daemon.toHandle());
    }

    // ---- helpers ----

    private static boolean installed(String tool) {
        for (String p : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(p, tool))) return true;
        }
        return false;
    }

    record Run(int exit, String out) {}

    private static Run run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + String.join(" ", cmd));
        }
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    private static String ok(String... cmd) throws Exception {
        Run r = run(cmd);
        if (r.exit != 0) throw new AssertionError(String.join(" ", cmd) + " -> exit " + r.exit + "\n" + r.out);
        return r.out;
    }

    private static void await(String what, BooleanSupplier cond) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(50);
        }
    }

    private String stderr() {
        try {
            return Files.readString(dir.resolve("stderr"), StandardCharsets.UTF_8);
        } catch (Exception e) {
            return "";
        }
    }

    /** Starts the copied bin/jsd with a QMP socket (plus {@code extra} options) and connects. */
    private void start(List<String> extra) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(home.resolve("bin/jsd").toString()));
        cmd.addAll(extra);
        cmd.addAll(List.of("--chardev", "socket,id=m0,path=" + dir.resolve("qmp.sock") + ",server=on,wait=off", "--monitor", "m0"));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(dir.resolve("stdout").toFile()).redirectError(dir.resolve("stderr").toFile());
        daemon = pb.start();
        qmp = QmpClient.connect(dir.resolve("qmp.sock"), daemon);
        assertTrue(qmp.exchange("{\"execute\":\"qmp_capabilities\"}").has("return"));
    }

    /** A qcow2 image served as NBD export "disk" (file -> qcow2 -> nbd). */
    private Path startWithQcow2Export() throws Exception {
        Path image = dir.resolve("disk.qcow2");
        ok("qemu-img", "create", "-f", "qcow2", image.toString(), "64M");
        start(List.of("--blockdev", "driver=file,node-name=file0,filename=" + image,
                "--blockdev", "driver=qcow2,node-name=top,file=file0",
                "--nbd-server", "addr.type=unix,addr.path=" + dir.resolve("nbd.sock"),
                "--export", "type=nbd,id=exp0,node-name=top,name=disk,writable=on"));
        return image;
    }

    private String uri() { return "nbd+unix:///disk?socket=" + dir.resolve("nbd.sock"); }

    private JsonNode exec(String command, String args) throws Exception {
        return qmp.exchange("{\"execute\":\"" + command + "\"" + (args == null ? "" : ",\"arguments\":" + args) + "}");
    }

    private JsonNode execOk(String command, String args) throws Exception {
        JsonNode r = exec(command, args);
        assertTrue(command + " " + args + " -> " + r, r.has("return"));
        return r.get("return");
    }

    private JsonNode plugin(String name) throws Exception {
        for (JsonNode p : execOk("x-jsd-query-plugins", null)) {
            if (p.path("symbolic-name").asText().equals(name)) return p;
        }
        return null;
    }

    private boolean pluginState(String name, String state) {
        try {
            JsonNode p = plugin(name);
            return state == null ? p == null : p != null && p.path("state").asText().equals(state);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Waits (bounded) until x-jsd-query-plugins reports {@code name} active: started, and every one of
     * its components satisfied with its services registered (drivers, export types, commands).
     */
    private void awaitActive(String name) throws InterruptedException {
        await(name + " to be active", () -> pluginState(name, "active"));
    }

    /** Quits through QMP and waits (bounded) for the process to end. */
    private void quit() throws Exception {
        exec("quit", null);
        assertTrue("daemon exits after quit", daemon.waitFor(30, TimeUnit.SECONDS));
        qmp.close();
        qmp = null;
    }

    private static Path jar(Path bundles, String prefix) throws Exception {
        try (Stream<Path> s = Files.list(bundles)) {
            return s.filter(p -> p.getFileName().toString().startsWith(prefix)).findFirst().orElseThrow();
        }
    }

    /**
     * qemu-io writes then reads back a fresh 64 KiB region per round (pattern per round), each round
     * a new NBD connection, until stopped; records which rounds succeeded and what failures said.
     */
    private final class Load implements AutoCloseable {
        static final int REGION = 64 * 1024;
        static final int MAX_ROUNDS = 1000;
        final List<Integer> done = new CopyOnWriteArrayList<>();
        final List<String> failures = new CopyOnWriteArrayList<>();
        final AtomicBoolean stop = new AtomicBoolean();
        final Thread thread;

        Load() {
            thread = Thread.ofPlatform().name("qemu-io-load").start(this::loop);
        }

        static int pattern(int round) { return round % 250 + 1; }

        private void loop() {
            for (int i = 0; i < MAX_ROUNDS && !stop.get(); i++) {
                long off = (long) i * REGION;
                try {
                    Run r = run("qemu-io", "-f", "raw", "-c", "write -P " + pattern(i) + " " + off + " " + REGION,
                            "-c", "read -P " + pattern(i) + " " + off + " " + REGION, uri());
                    if (r.exit == 0 && !r.out.contains("failed") && !r.out.contains("Pattern verification")) done.add(i);
                    else failures.add(r.out);
                } catch (Exception e) {
                    failures.add(e.toString());
                }
            }
        }

        int successes() { return done.size(); }

        void awaitMore(int n) throws InterruptedException {
            int target = successes() + n;
            await(n + " more successful qemu-io rounds (failures: " + failures + ")", () -> successes() >= target || !thread.isAlive());
            assertTrue("load still running", successes() >= target);
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join(TimeUnit.SECONDS.toMillis(90));
        }

        /** Every round that succeeded reads back its pattern from the image itself (the daemon has quit). */
        void verify(Path image) throws Exception {
            List<String> cmd = new ArrayList<>(List.of("qemu-io", "-r", "-f", "qcow2"));
            for (int i : done) cmd.addAll(List.of("-c", "read -P " + pattern(i) + " " + (long) i * REGION + " " + REGION));
            cmd.add(image.toString());
            String out = ok(cmd.toArray(String[]::new));
            assertFalse(out, out.contains("Pattern verification failed") || out.contains("failed"));
        }
    }

    private static void assertCheckClean(Path image) throws Exception {
        String out = ok("qemu-img", "check", image.toString());
        assertTrue(out, out.contains("No errors were found on the image."));
    }

    // ---- tests ----

    /** (a) The qcow2 driver stopped and started by QMP under running I/O. */
    @Test
    public void stopAndStartQcow2DriverUnderIo() throws Exception {
        Path image = startWithQcow2Export();
        awaitActive(QCOW2);
        assertEquals("qcow2", plugin(QCOW2).path("block-drivers").path(0).asText());
        try (Load load = new Load()) {
            load.awaitMore(3);
            int failuresBefore = load.failures.size();
            execOk("x-jsd-plugin-stop", "{\"name\":\"" + QCOW2 + "\"}");
            assertEquals("resolved", plugin(QCOW2).path("state").asText());
            assertEquals(0, plugin(QCOW2).path("block-drivers").size());
            // a new qcow2 node cannot be made, and the error names the driver
            JsonNode e = exec("blockdev-add", "{\"driver\":\"qcow2\",\"node-name\":\"other\",\"file\":\"file0\"}");
            assertEquals(e.toString(), "Parameter 'driver' does not accept value 'qcow2'", e.path("error").path("desc").asText());
            // I/O in the gap fails with an error naming the driver
            await("a failed qemu-io round while qcow2 is stopped", () -> load.failures.size() > failuresBefore);
            String failure = load.failures.get(failuresBefore);
            assertTrue(failure, failure.contains("Block driver 'qcow2' is not installed") || failure.contains("Input/output error"));
            // a client connecting now is told why
            Run gap = run("qemu-io", "-f", "raw", "-c", "read 0 4k", uri());
            assertTrue(gap.out, gap.exit != 0 && gap.out.contains("Block driver 'qcow2' is not installed"));
            execOk("x-jsd-plugin-start", "{\"name\":\"" + QCOW2 + "\"}");
            awaitActive(QCOW2);
            assertEquals("qcow2", plugin(QCOW2).path("block-drivers").path(0).asText());
            load.awaitMore(3);
            load.close();
            quit();
            load.verify(image);
        }
        assertCheckClean(image);
    }

    /**
     * (b) Hot upgrade under running I/O: the driver-file jar renamed over, touched, then rewritten
     * in place slowly (half a jar first: ignored until complete); core's jar touched: refused.
     */
    @Test
    public void replacedDriverJarIsHotUpgraded() throws Exception {
        Path image = startWithQcow2Export();
        Path bundles = home.resolve("bundles");
        Path fileJar = jar(bundles, "jsd-driver-file-");
        try (Load load = new Load()) {
            load.awaitMore(3);
            // a new copy renamed over the old name (how an operator should ship a jar): a new inode
            Path staged = bundles.resolve(".upgrade.tmp");
            Files.copy(fileJar, staged);
            Files.move(staged, fileJar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            await("the watcher to update io.jsd.file", () -> stderr().contains("plugins: updated io.jsd.file"));
            load.awaitMore(3);
            // touch: same content, new mtime -> updated again
            int updates = stderr().split("plugins: updated io.jsd.file", -1).length - 1;
            Files.setLastModifiedTime(fileJar, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
            await("a second update", () -> stderr().split("plugins: updated io.jsd.file", -1).length - 1 > updates);
            awaitActive("io.jsd.file");
            load.awaitMore(3);
            // a slow copy in place: the half-written jar is ignored, the complete one is applied
            byte[] bytes = Files.readAllBytes(fileJar);
            int before = stderr().split("plugins: updated io.jsd.file", -1).length - 1;
            Files.write(fileJar, java.util.Arrays.copyOf(bytes, bytes.length / 2));
            await("the half-written jar to be ignored", () -> stderr().contains("ignoring " + fileJar.getFileName() + " for now"));
            Files.write(fileJar, bytes);
            await("the complete jar to be applied", () -> stderr().split("plugins: updated io.jsd.file", -1).length - 1 > before);
            load.awaitMore(3);
            // core's jar is never applied at run time: logged, core keeps running
            Files.setLastModifiedTime(jar(bundles, "jsd-core-"), java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
            await("the core refusal in the log", () -> stderr().contains("is JSD's core and cannot be updated at run time"));
            load.awaitMore(2);
            load.close();
            quit();
            load.verify(image);
        }
        assertCheckClean(image);
    }

    /** (c) The driver-null jar removed from bundles/ and put back. */
    @Test
    public void removedDriverJarRemovesTheDriver() throws Exception {
        start(List.of());
        Path bundles = home.resolve("bundles");
        Path nullJar = jar(bundles, "jsd-driver-null-");
        Path aside = dir.resolve(nullJar.getFileName());
        assertEquals("null-aio", plugin("io.jsd.null").path("block-drivers").path(0).asText());
        Files.move(nullJar, aside);
        await("io.jsd.null to be uninstalled", () -> pluginState("io.jsd.null", null));
        JsonNode e = exec("blockdev-add", "{\"driver\":\"null-co\",\"node-name\":\"n0\"}");
        assertEquals(e.toString(), "Parameter 'driver' does not accept value 'null-co'", e.path("error").path("desc").asText());
        Files.copy(aside, nullJar);
        awaitActive("io.jsd.null");
        assertEquals("null-aio", plugin("io.jsd.null").path("block-drivers").path(0).asText());
        execOk("blockdev-add", "{\"driver\":\"null-co\",\"node-name\":\"n0\",\"size\":1048576}");
        assertEquals(1048576, execOk("query-named-block-nodes", null).path(0).path("image").path("virtual-size").asLong());
        quit();
    }

    /** (d) The qmp-block plugin stopped and started: its commands leave and return. */
    @Test
    public void stoppedCommandPluginRemovesItsCommands() throws Exception {
        start(List.of());
        execOk("x-jsd-plugin-stop", "{\"name\":\"io.jsd.qmp.block\"}");
        JsonNode e = exec("blockdev-add", "{\"driver\":\"null-co\",\"node-name\":\"n0\"}");
        assertEquals(e.toString(), "CommandNotFound", e.path("error").path("class").asText());
        assertFalse(commands().contains("blockdev-add"));
        execOk("x-jsd-plugin-start", "{\"name\":\"io.jsd.qmp.block\"}");
        awaitActive("io.jsd.qmp.block");
        assertTrue(commands().contains("blockdev-add"));
        execOk("blockdev-add", "{\"driver\":\"null-co\",\"node-name\":\"n0\"}");

        // what the manager refuses, and why
        assertEquals("Plugin 'nope' is not installed (x-jsd-query-plugins lists them)",
                exec("x-jsd-plugin-stop", "{\"name\":\"nope\"}").path("error").path("desc").asText());
        JsonNode core = exec("x-jsd-plugin-stop", "{\"name\":\"io.jsd.core\"}").path("error");
        assertEquals("GenericError", core.path("class").asText());
        assertTrue(core.toString(), core.path("desc").asText().contains("is JSD's core"));
        assertTrue(plugin("io.jsd.core").path("protected").asBoolean());
        JsonNode lib = exec("x-jsd-plugin-update", "{\"name\":\"com.fasterxml.jackson.core.jackson-databind\"}").path("error");
        assertTrue(lib.toString(), lib.path("desc").asText().contains("JSD's core uses its packages"));
        quit();
    }

    /** (e) The NBD export plugin restarted and upgraded over QMP: the server and the export come back. */
    @Test
    public void nbdExportPluginRestartKeepsServing() throws Exception {
        Path image = startWithQcow2Export();
        ok("qemu-io", "-f", "raw", "-c", "write -P 0x3c 1M 1M", uri());
        execOk("x-jsd-plugin-stop", "{\"name\":\"io.jsd.export.nbd\"}");
        assertEquals(0, plugin("io.jsd.export.nbd").path("export-types").size());
        Run gap = run("qemu-io", "-f", "raw", "-c", "read 0 4k", uri());
        assertTrue(gap.out, gap.exit != 0);
        execOk("x-jsd-plugin-start", "{\"name\":\"io.jsd.export.nbd\"}");
        awaitActive("io.jsd.export.nbd");
        assertEquals("nbd", plugin("io.jsd.export.nbd").path("export-types").path(0).asText());
        ok("qemu-io", "-f", "raw", "-c", "read -P 0x3c 1M 1M", "-c", "write -P 0x3d 2M 1M", uri());
        execOk("x-jsd-plugin-update", "{\"name\":\"io.jsd.export.nbd\"}");
        awaitActive("io.jsd.export.nbd");
        ok("qemu-io", "-f", "raw", "-c", "read -P 0x3c 1M 1M", "-c", "read -P 0x3d 2M 1M", uri());
        JsonNode bad = exec("x-jsd-plugin-update", "{\"name\":\"io.jsd.export.nbd\",\"path\":\"" + dir.resolve("none.jar") + "\"}");
        assertTrue(bad.toString(), bad.path("error").path("desc").asText().contains("No such file"));
        quit();
        ok("qemu-io", "-r", "-f", "qcow2", "-c", "read -P 0x3c 1M 1M", "-c", "read -P 0x3d 2M 1M", image.toString());
        assertCheckClean(image);
    }

    /**
     * Sends vhost-user GET_FEATURES (request 1, version flag 1) on a fresh connection to the export's
     * socket and returns the feature bits; the hand-made front-end of the simplest kind.
     */
    private static long vhostFeatures(Path sock) throws Exception {
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(sock))) {
            return vhostFeatures(c);
        }
    }

    private static long vhostFeatures(SocketChannel c) throws Exception {
        c.write(ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putInt(1).putInt(1).putInt(0).flip());
        ByteBuffer r = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN);
        while (r.hasRemaining()) {
            if (c.read(r) < 0) throw new java.io.EOFException("vhost-user back-end closed the connection");
        }
        assertEquals(1, r.getInt(0));
        assertEquals(8, r.getInt(8));
        return r.getLong(12);
    }

    /** The vhost-user-blk export plugin stopped, started and updated: core recreates the export, which listens again. */
    @Test
    public void vhostExportPluginRestartListensAgain() throws Exception {
        Path image = dir.resolve("disk.raw");
        ok("qemu-img", "create", "-f", "raw", image.toString(), "16M");
        Path sock = dir.resolve("vhost.sock");
        start(List.of("--blockdev", "driver=file,node-name=file0,filename=" + image,
                "--export", "type=vhost-user-blk,id=vu0,node-name=file0,addr.type=unix,addr.path=" + sock + ",writable=on,num-queues=2"));
        String plugin = "io.jsd.export.vhost";
        long features;
        try (SocketChannel held = SocketChannel.open(UnixDomainSocketAddress.of(sock))) {
            features = vhostFeatures(held);
            assertTrue(Long.toHexString(features), (features & (1L << 32)) != 0); // VERSION_1
            execOk("x-jsd-plugin-stop", "{\"name\":\"" + plugin + "\"}");
            assertEquals(0, plugin(plugin).path("export-types").size());
            // the connected front-end is dropped and the socket is gone until the type returns
            held.configureBlocking(false);
            await("the front-end to be dropped", () -> {
                try {
                    return held.read(ByteBuffer.allocate(1)) < 0;
                } catch (java.io.IOException e) {
                    return true; // reset: dropped as well
                }
            });
            assertFalse(Files.exists(sock));
        }
        execOk("x-jsd-plugin-start", "{\"name\":\"" + plugin + "\"}");
        awaitActive(plugin);
        assertEquals("vhost-user-blk", plugin(plugin).path("export-types").path(0).asText());
        await("the vhost-user socket", () -> Files.exists(sock));
        assertEquals(features, vhostFeatures(sock));
        JsonNode exports = execOk("query-block-exports", null);
        assertEquals(exports.toString(), "vu0", exports.path(0).path("id").asText());
        execOk("x-jsd-plugin-update", "{\"name\":\"" + plugin + "\"}");
        awaitActive(plugin);
        await("the vhost-user socket", () -> Files.exists(sock));
        assertEquals(features, vhostFeatures(sock));
        execOk("block-export-del", "{\"id\":\"vu0\"}");
        await("the socket to go", () -> !Files.exists(sock));
        quit();
    }

    private List<String> commands() throws Exception {
        List<String> out = new ArrayList<>();
        for (JsonNode c : execOk("query-commands", null)) out.add(c.path("name").asText());
        return out;
    }
}
