package io.jsd.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Scratch images for the benchmarks, made by the real qemu-img so every byte is allocated up front. */
final class Images {
    private Images() {}

    /** Where images go: $JSD_BENCH_DIR, else the JVM's temp dir (put it on the disk you mean to measure). */
    static Path scratchDir() throws IOException {
        String d = System.getenv("JSD_BENCH_DIR");
        Path base = d == null ? Path.of(System.getProperty("java.io.tmpdir")) : Path.of(d);
        return Files.createTempDirectory(base, "jsd-jmh-");
    }

    /** {@code qemu-img create -f FORMAT -o preallocation=full}: no allocation on the measured path. */
    static Path create(Path dir, String format, long size) throws IOException, InterruptedException {
        Path img = dir.resolve("disk." + format);
        run(List.of("qemu-img", "create", "-q", "-f", format, "-o", "preallocation=full", img.toString(),
                Long.toString(size)));
        return img;
    }

    static void run(List<String> cmd) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.INHERIT).start();
        } catch (IOException e) {
            throw new IOException(cmd.getFirst() + " not found: the benchmarks need qemu-img on PATH", e);
        }
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + cmd);
        }
        if (p.exitValue() != 0) throw new IOException("failed (" + p.exitValue() + "): " + cmd);
    }

    static void deleteTree(Path dir) {
        if (dir == null) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            System.err.println("could not delete " + dir + ": " + e);
        }
    }
}
