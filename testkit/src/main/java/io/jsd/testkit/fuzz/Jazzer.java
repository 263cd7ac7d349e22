package io.jsd.testkit.fuzz;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Runs the coverage-guided fuzzer Jazzer (libFuzzer for the JVM) on one fuzz target in a child JVM
 * with the test class path, for a bounded time. A target is a class with
 * {@code public static void fuzzerTestOneInput(byte[])} that throws only on a broken invariant.
 *
 * <p>The child JVM, not the test's, because libFuzzer ends its process on a finding and Jazzer
 * instruments classes as they load. What counts as a finding: any exception or error the target
 * lets out (StackOverflowError and OutOfMemoryError included, under a small heap), an input that
 * runs longer than {@link #PER_INPUT_TIMEOUT_SECONDS}, and libFuzzer's own RSS limit.
 */
public final class Jazzer {
    /**
     * Seconds one input may take before it is a hang. Generous, because the machines are busy and
     * the first input that reaches a code path also loads and instruments its classes (seconds each
     * under load); a real hang still ends the run.
     */
    public static final int PER_INPUT_TIMEOUT_SECONDS = 60;
    /** The child's heap: a parser that allocates on a length field's word runs out here and is found. */
    public static final String HEAP = "-Xmx384m";

    private Jazzer() {}

    /**
     * What one run did: the child's exit code (0: nothing found), the number of inputs executed,
     * the files of the findings (crash-*, timeout-*, oom-* under {@code work}/findings), the inputs
     * libFuzzer noted as slow (over 10 s, not findings) and the log.
     */
    public record Result(int exitCode, long executions, List<Path> findings, List<Path> slowUnits, String log) {
        public boolean clean() { return exitCode == 0 && findings.isEmpty(); }
    }

    /**
     * Fuzzes {@code target} for {@code seconds}, starting from the inputs in {@code seeds} (read
     * only) and, with {@code keepCorpus}, the corpus a previous run left in {@code work}/corpus
     * (where new inputs go).
     */
    public static Result fuzz(Class<?> target, Path seeds, Path work, int seconds, boolean keepCorpus)
            throws IOException, InterruptedException {
        Path corpus = Files.createDirectories(work.resolve("corpus"));
        if (!keepCorpus) {
            // libFuzzer first runs every input it is given: a corpus grown by earlier runs would eat a short run's time
            try (Stream<Path> old = Files.list(corpus)) {
                for (Path f : old.toList()) Files.delete(f);
            }
        }
        Path artifacts = Files.createDirectories(work.resolve("findings"));
        try (Stream<Path> old = Files.list(artifacts)) {
            for (Path f : old.toList()) Files.delete(f); // findings of an earlier run are reported by that run
        }
        Path log = work.resolve("jazzer.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, HEAP, "-Xss1m",
                "-XX:+EnableDynamicAgentLoading", "-Djdk.attach.allowAttachSelf=true",
                "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"),
                "com.code_intelligence.jazzer.Jazzer",
                "--target_class=" + target.getName(),
                // only JSD's code is instrumented for coverage: libraries and the JDK are not the subject
                "--instrumentation_includes=io.jsd.**",
                "--custom_hook_includes=io.jsd.**",
                "-max_total_time=" + seconds,
                "-timeout=" + PER_INPUT_TIMEOUT_SECONDS,
                "-rss_limit_mb=4096",
                "-max_len=" + maxLen(target),
                "-print_final_stats=1",
                "--reproducer_path=" + work,
                "-artifact_prefix=" + artifacts + File.separator,
                corpus.toString()));
        if (Files.isDirectory(seeds)) cmd.add(seeds.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        // libFuzzer's own clock stops the run; this bound only catches a child that wedged outright
        if (!p.waitFor(seconds + 120L + PER_INPUT_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        int exit = p.isAlive() ? -1 : p.exitValue();
        String text = Files.readString(log, StandardCharsets.ISO_8859_1);
        List<Path> findings, slow;
        try (Stream<Path> s = Files.list(artifacts)) {
            List<Path> all = s.sorted().toList();
            // libFuzzer also saves inputs slower than 10 s ("slow-unit-*"): worth a look, not a finding
            slow = all.stream().filter(f -> f.getFileName().toString().startsWith("slow-unit-")).toList();
            findings = all.stream().filter(f -> !slow.contains(f)).toList();
        }
        return new Result(exit, executions(text), findings, slow, text);
    }

    /** The largest input libFuzzer makes for {@code target}: its {@code MAX_LEN} constant if it has one. */
    static int maxLen(Class<?> target) {
        try {
            return target.getDeclaredField("MAX_LEN").getInt(null);
        } catch (ReflectiveOperationException e) {
            return 4096;
        }
    }

    private static final Pattern EXECUTED = Pattern.compile("stat::number_of_executed_units:\\s*(\\d+)");
    private static final Pattern DONE = Pattern.compile("Done (\\d+) runs");

    static long executions(String log) {
        Matcher m = EXECUTED.matcher(log);
        long n = -1;
        while (m.find()) n = Long.parseLong(m.group(1));
        if (n >= 0) return n;
        m = DONE.matcher(log);
        while (m.find()) n = Long.parseLong(m.group(1));
        return n;
    }
}
