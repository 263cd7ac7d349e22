package io.jsd.testkit.fuzz;

import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import org.junit.Assume;
import org.junit.Test;

/**
 * Base of a fuzz test: the subclass is the fuzz target itself (it declares
 * {@code public static void fuzzerTestOneInput(byte[] data)}, which throws only when the code under
 * test breaks its invariant, and may declare {@code public static void fuzzerInitialize()} for
 * one-time set-up, which Jazzer runs before the first input and outside the per-input time bound).
 * Two tests come with it:
 * <ul>
 * <li>{@link #committedInputsHold()}: every input committed under
 * {@code src/test/resources/fuzz/<SimpleName>/} (seeds and former findings) runs in process,
 * each bounded in time;</li>
 * <li>{@link #fuzzForAWhile()}: Jazzer fuzzes the target for {@code -Djsd.fuzz.seconds} (default
 * {@value #DEFAULT_SECONDS}; 0 skips), starting from those inputs (and, with
 * {@code -Djsd.fuzz.keepCorpus=true}, from what earlier runs added), and must find nothing. The
 * number of executions is printed and appended to {@code target/fuzz/summary.txt}.</li>
 * </ul>
 */
public abstract class FuzzTarget {
    public static final int DEFAULT_SECONDS = 10;

    private Path seeds() { return Path.of("src", "test", "resources", "fuzz", getClass().getSimpleName()); }

    private Method entry() throws NoSuchMethodException {
        return getClass().getMethod("fuzzerTestOneInput", byte[].class);
    }

    @Test
    public void committedInputsHold() throws Exception {
        Path dir = seeds();
        assertTrue("seed corpus " + dir.toAbsolutePath() + " exists", Files.isDirectory(dir));
        List<Path> inputs;
        try (Stream<Path> s = Files.list(dir)) {
            inputs = s.filter(Files::isRegularFile).sorted().toList();
        }
        assertTrue("seed corpus " + dir + " is not empty", !inputs.isEmpty());
        for (Path in : inputs) replay(Files.readAllBytes(in), in.getFileName().toString());
    }

    /** Runs one input in process, bounded in time (set-up aside); its failure names the input. */
    protected void replay(byte[] data, String name) throws Exception {
        initialize();
        Method m = entry();
        FutureTask<Void> task = new FutureTask<>(() -> {
            m.invoke(null, (Object) data);
            return null;
        });
        Thread t = Thread.ofPlatform().daemon().name("fuzz-replay-" + name).start(task);
        try {
            task.get(Jazzer.PER_INPUT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            t.interrupt();
            fail("input " + name + " ran longer than " + Jazzer.PER_INPUT_TIMEOUT_SECONDS + " s (a hang)");
        } catch (ExecutionException e) {
            Throwable c = e.getCause() instanceof InvocationTargetException ite ? ite.getCause() : e.getCause();
            throw new AssertionError("input " + name + " (" + hex(data) + ") broke the invariant: " + c, c);
        }
    }

    private void initialize() throws Exception {
        Method init;
        try {
            init = getClass().getMethod("fuzzerInitialize");
        } catch (NoSuchMethodException e) {
            return;
        }
        try {
            init.invoke(null);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof Exception x) throw x;
            throw new AssertionError("fuzzerInitialize failed", e.getCause());
        }
    }

    @Test
    public void fuzzForAWhile() throws Exception {
        int seconds = Integer.getInteger("jsd.fuzz.seconds", DEFAULT_SECONDS);
        Assume.assumeTrue("-Djsd.fuzz.seconds=0", seconds > 0);
        String name = getClass().getSimpleName();
        Path work = Path.of("target", "fuzz", name);
        Jazzer.Result r = Jazzer.fuzz(getClass(), seeds(), work, seconds, Boolean.getBoolean("jsd.fuzz.keepCorpus"));
        String line = name + ": " + r.executions() + " executions in " + seconds + " s, exit " + r.exitCode()
                + (r.findings().isEmpty() ? ", nothing found" : ", findings " + r.findings())
                + (r.slowUnits().isEmpty() ? "" : " (slow inputs, over 10 s: " + r.slowUnits() + ")");
        System.out.println("[fuzz] " + line);
        Files.writeString(Path.of("target", "fuzz", "summary.txt"), line + System.lineSeparator(), StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        if (!r.clean()) {
            StringBuilder why = new StringBuilder(line).append('\n');
            for (Path f : r.findings()) why.append(f.getFileName()).append(": ").append(hex(readSmall(f))).append('\n');
            String log = r.log();
            why.append("--- end of ").append(work.resolve("jazzer.log")).append(" ---\n")
                    .append(log, Math.max(0, log.length() - 6000), log.length());
            fail(why.toString());
        }
        assertTrue("Jazzer ran inputs (log: " + work.resolve("jazzer.log") + ")", r.executions() > 0);
    }

    private static byte[] readSmall(Path f) throws IOException {
        byte[] b = Files.readAllBytes(f);
        return b.length <= 512 ? b : java.util.Arrays.copyOf(b, 512);
    }

    protected static String hex(byte[] b) {
        return b.length <= 256 ? HexFormat.of().formatHex(b) : HexFormat.of().formatHex(b, 0, 256) + "... (" + b.length + " bytes)";
    }
}
