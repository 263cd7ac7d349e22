package io.jsd.qcow2.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.Assume;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.rules.TemporaryFolder;
import org.junit.runners.Parameterized.Parameters;

/**
 * A test run once per image kind of {@link Images}: the case's name and script, and the image made
 * by qemu-img with its content as "qemu-img convert -O raw" reads it.
 */
abstract class ImageCases {
    @Rule public TemporaryFolder tmp = new TemporaryFolder();

    protected final String name;
    protected final String script;

    ImageCases(String name, String script) {
        this.name = name;
        this.script = script;
    }

    @Parameters(name = "{0}")
    public static List<Object[]> cases() {
        List<Object[]> c = new ArrayList<>();
        for (Map.Entry<String, String> e : Images.all().entrySet()) c.add(new Object[] {e.getKey(), e.getValue()});
        return c;
    }

    @BeforeClass
    public static void peers() { Assume.assumeTrue("qemu-img missing", Harness.haveQemu()); }

    /** Makes the case's image in {@code dir} ("img.qcow2") and returns what qemu reads from it. */
    protected byte[] makeImage(Path dir) throws Exception {
        Images.make(script, dir);
        Path raw = dir.resolve("ref.raw");
        Harness.run(Images.cmd(new String[] {"qemu-img", "convert", "-U"}, Images.qemuImage(name, dir.resolve("img.qcow2")),
                "-O", "raw", raw.toString()));
        return Files.readAllBytes(raw);
    }
}
