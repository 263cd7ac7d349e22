package io.jsd.qcow2.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;

import io.jsd.block.BlockNode;
import io.jsd.block.BlockStatus;

/** JSD reads each image made by qemu-img exactly as "qemu-img convert -O raw" does. */
@RunWith(Parameterized.class)
public class ReadCompatTest extends ImageCases {
    public ReadCompatTest(String name, String script) { super(name, script); }

    @Test
    public void readsLikeQemu() throws Exception {
        Path dir = tmp.getRoot().toPath();
        byte[] want = makeImage(dir);
        Path img = dir.resolve("img.qcow2");
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
