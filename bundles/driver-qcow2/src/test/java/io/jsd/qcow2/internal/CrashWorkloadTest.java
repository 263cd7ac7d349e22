package io.jsd.qcow2.internal;

import static org.junit.Assert.assertArrayEquals;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import org.junit.Assume;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.jsd.block.BlockNode;
import io.jsd.block.IoFlags;

/** CrashWorker's workload without the crash, with tiny caches: content and qemu-img check must be right. */
public class CrashWorkloadTest {
    @Rule public TemporaryFolder tmp = new TemporaryFolder();

    @BeforeClass
    public static void peers() { Assume.assumeTrue(Harness.haveQemu()); }

    @Test
    public void smallClustersTinyCaches() throws Exception {
        for (int seed = 1; seed <= Integer.getInteger("jsd.workload.seeds", 1); seed++) run(seed);
    }

    private void run(int seed) throws Exception {
        Path dir = tmp.newFolder("s" + seed).toPath();
        Images.make(Images.all().get("cluster-512"), dir);
        Path img = dir.resolve("img.qcow2");
        Path raw = dir.resolve("ref.raw");
        Harness.run("qemu-img", "convert", "-O", "raw", img.toString(), raw.toString());
        byte[] model = Files.readAllBytes(raw);
        try (Harness h = new Harness()) {
            var o = Harness.M.createObjectNode();
            o.put("driver", "qcow2");
            o.put("refcount-cache-size", 2048);
            o.putObject("file").put("driver", "file").put("filename", img.toString());
            BlockNode n = h.open(o, false);
            long blocks = n.size() / CrashWorker.BLOCK;
            Random r = new Random(seed);
            for (int i = 1; i <= Integer.getInteger("jsd.workload.ops", 3000); i++) {
                long[] op = CrashWorker.op(r, blocks);
                long off = op[0] * CrashWorker.BLOCK, len = op[1] * CrashWorker.BLOCK;
                if (op[2] <= 1) {
                    n.writeZeroes(off, len, op[2] == 0 ? IoFlags.MAY_UNMAP : 0);
                    java.util.Arrays.fill(model, (int) off, (int) (off + len), (byte) 0);
                } else {
                    ByteBuffer b = ByteBuffer.allocate((int) len);
                    while (b.hasRemaining()) b.putInt(i);
                    n.write(off, b.flip(), 0);
                    System.arraycopy(b.array(), 0, model, (int) off, (int) len);
                }
                if (i % 7 == 0) n.flush();
            }
            byte[] got = new byte[model.length];
            n.read(0, ByteBuffer.wrap(got));
            assertArrayEquals(model, got);
        }
        WriteCompatTest.checkWithQemu("cluster-512", dir, img, model, false);
    }
}
