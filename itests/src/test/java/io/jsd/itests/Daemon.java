package io.jsd.itests;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.Assume;

/**
 * A storage daemon started as a user would: JSD's bin/jsd or the real qemu-storage-daemon, with
 * stdout/stderr captured to files in its temp dir. close() stops it by its PID (TERM, then KILL).
 */
final class Daemon implements AutoCloseable {
    enum Kind { JSD, QSD }

    final Kind kind;
    final Path dir;
    final Process process;

    private Daemon(Kind kind, Path dir, Process process) {
        this.kind = kind;
        this.dir = dir;
        this.process = process;
    }

    static Path jsdHome() {
        Path home = Path.of(System.getProperty("jsd.dist", "../distribution/target/jsd")).toAbsolutePath().normalize();
        if (!Files.isExecutable(home.resolve("bin/jsd"))) throw new IllegalStateException("no " + home + "/bin/jsd: build the distribution first");
        return home;
    }

    static boolean qsdInstalled() {
        for (String p : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(p, "qemu-storage-daemon"))) return true;
        }
        return false;
    }

    static void assumeQsd() { Assume.assumeTrue("qemu-storage-daemon is installed", qsdInstalled()); }

    static List<String> command(Kind kind, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(kind == Kind.JSD ? jsdHome().resolve("bin/jsd").toString() : "qemu-storage-daemon");
        cmd.addAll(args);
        return cmd;
    }

    /** Starts the daemon; {@code args} may use "{dir}" for its temp dir. */
    static Daemon start(Kind kind, Path dir, List<String> args) throws IOException {
        List<String> resolved = args.stream().map(a -> a.replace("{dir}", dir.toString())).toList();
        ProcessBuilder pb = new ProcessBuilder(command(kind, resolved)).directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(dir.resolve("stdout").toFile()).redirectError(dir.resolve("stderr").toFile());
        return new Daemon(kind, dir, pb.start());
    }

    /** Runs the daemon to completion (bounded), for options that make it exit. */
    static Result run(Kind kind, Path dir, List<String> args, long timeoutSeconds) throws Exception {
        try (Daemon d = start(kind, dir, args)) {
            if (!d.process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) return new Result(-1, d.stdout(), d.stderr());
            return new Result(d.process.exitValue(), d.stdout(), d.stderr());
        }
    }

    record Result(int exit, String stdout, String stderr) {}

    Path socket(String name) { return dir.resolve(name); }

    String stdout() throws IOException { return Files.readString(dir.resolve("stdout"), StandardCharsets.UTF_8); }

    String stderr() throws IOException { return Files.readString(dir.resolve("stderr"), StandardCharsets.UTF_8); }

    /**
     * Stops the process and whatever it started (with --daemonize, the daemon it forked: a parent
     * that did not return in time must not leave its daemon behind).
     */
    @Override
    public void close() throws Exception {
        List<ProcessHandle> children = process.descendants().toList();
        stop(process.toHandle());
        for (ProcessHandle c : children) stop(c);
    }

    static void stop(ProcessHandle p) throws InterruptedException {
        if (!p.isAlive()) return;
        p.destroy();
        try {
            p.onExit().get(15, TimeUnit.SECONDS);
        } catch (Exception e) {
            p.destroyForcibly();
        }
    }
}
