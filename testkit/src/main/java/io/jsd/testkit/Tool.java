package io.jsd.testkit;

import static org.junit.Assert.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs a real program (qemu-img, qemu-io, ...) to its end with a bound on the wait, for tests that
 * check JSD against the real peers: its exit code and its output (stdout and stderr together).
 */
public final class Tool {
    /** How long a program may run; generous for busy machines. Past it the program is killed and the test fails. */
    public static final long BOUND_SECONDS = 60;

    private Tool() {}

    /** A program's exit code and everything it printed. */
    public record Result(int exit, String output) {}

    public static Result run(String... cmd) throws Exception { return run(List.of(cmd)); }

    public static Result run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (Exception e) {
                return e.toString();
            }
        });
        if (!p.waitFor(BOUND_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            throw new AssertionError("timed out: " + String.join(" ", cmd));
        }
        return new Result(p.exitValue(), out.get(5, TimeUnit.SECONDS));
    }

    /** Runs qemu-img with {@code args} and requires it to succeed. */
    public static void qemuImg(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("qemu-img"));
        cmd.addAll(List.of(args));
        Result r = run(cmd);
        assertEquals(String.join(" ", cmd) + "\n" + r.output(), 0, r.exit());
    }
}
