package io.jsd.qcow2.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.Assume;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;
import org.junit.runners.Parameterized.Parameters;

import io.jsd.block.BlockNode;
import io.jsd.block.BlockStatus;

/** JSD reads each image made by qemu-img exactly as "qemu-img convert -O raw" does. */
@RunWith(Parameterized.class)
public class ReadCompatTest {
    @Rule public TemporaryFolder tmp = new TemporaryFolder();

    private final String name;
    private final String script;

    public ReadCompatTest(String name, String script) {
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

    @Test
    public void readsLikeQemu() throws Exception {
        Path dir = tmp.getRoot().toPath();
        Images.make(script, dir);
        Path img = dir.resolve("img.qcow2");
        Path raw = dir.resolve("ref.raw");
        Harness.run(Images.cmd(new String[] {"qemu-img", "convert", "-U"}, Images.qemuImage(name, img), "-O", "raw", raw.toString()));
        byte[] want = Files.readAllBytes(raw);
        try (Harness h = new Harness()) {
            BlockNode n = h.openQcow2(img, true);
            assertEquals(name + " size", want.length, n.size());
            byte[] got = new byte[want.length];
            Random r = new Random(name.hashCode());
            int pos = 0;
            while (pos < got.length) {
                int align = n.limits().requestAlignment(); // core aligns requests for the driver
                int len = Math.min(got.length - pos, (1 + r.nextInt(300_000)) / align * align + align);
                n.read(pos, ByteBuffer.wrap(got, pos, len));
                pos += len;
            }
            assertArrayEquals(name + " content", want, got);
            // block status covers the image and never claims zero where data is not zero
            long off = 0;
            while (off < want.length) {
                BlockStatus s = n.blockStatus(off, want.length - off);
                assertTrue(s.length() > 0);
                assertEquals(off, s.offset());
                if (s.isZero()) {
                    for (long k = off; k < off + s.length(); k++) {
                        if (want[(int) k] != 0) throw new AssertionError(name + ": ZERO at " + k + " reads non-zero");
                    }
                }
                off += s.length();
            }
        }
    }
}
