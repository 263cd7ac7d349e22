package io.jsd.nbd.internal;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.Assume;

/** Runs the real peer programs (qemu-img, qemu-io, nbdinfo, ...) with bounded waits. */
final class Peers {
    private Peers() {}

    record Result(int exit, String out) {
        Result ok() {
            if (exit != 0) throw new AssertionError("exit " + exit + ":\n" + out);
            return this;
        }
    }

    static boolean has(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) return true;
        }
        return false;
    }

    static void assume(String... tools) {
        for (String t : tools) Assume.assumeTrue(t + " is not installed", has(t));
    }

    static Result run(String... cmd) throws IOException, InterruptedException {
        return run(List.of(cmd), 60);
    }

    static Result run(List<String> cmd, int timeoutSeconds) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        Path out = Files.createTempFile("peer", ".out");
        pb.redirectOutput(out.toFile());
        Process p = pb.start();
        try {
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                throw new AssertionError("timed out: " + cmd + "\n" + Files.readString(out, StandardCharsets.UTF_8));
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } finally {
            if (p.isAlive()) p.destroyForcibly();
            Files.deleteIfExists(out);
        }
    }
}
