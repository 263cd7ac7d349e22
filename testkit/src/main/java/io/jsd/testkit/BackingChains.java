package io.jsd.testkit;

import static io.jsd.testkit.Tool.qemuImg;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Backing chains made by the real qemu-img, for tests of how deep chains open. */
public final class BackingChains {
    private BackingChains() {}

    /**
     * {@code depth} qcow2 overlays c0001..c{depth} over a 1 MiB base c0000 in {@code dir} (512-byte
     * clusters), each naming the one below relative to {@code dir}; returns the top. qemu-img makes
     * the base and one overlay, whose copies differ only in the backing name (hundreds in a moment).
     */
    public static Path deep(Path dir, int depth) throws Exception {
        qemuImg("create", "-q", "-f", "qcow2", "-o", "cluster_size=512", dir.resolve("c0000.qcow2").toString(), "1M");
        Path template = dir.resolve("template.qcow2");
        qemuImg("create", "-q", "-f", "qcow2", "-o", "cluster_size=512", "-u", "-b", "c0000.qcow2", "-F", "qcow2", template.toString(), "1M");
        byte[] t = Files.readAllBytes(template);
        int at = new String(t, StandardCharsets.ISO_8859_1).indexOf("c0000.qcow2");
        if (at < 0) throw new IllegalStateException("backing name not in the header");
        for (int i = 1; i <= depth; i++) {
            byte[] c = t.clone();
            System.arraycopy(String.format("c%04d", i - 1).getBytes(StandardCharsets.US_ASCII), 0, c, at, 5);
            Files.write(dir.resolve(String.format("c%04d.qcow2", i)), c);
        }
        Files.delete(template);
        return dir.resolve(String.format("c%04d.qcow2", depth));
    }
}
