package io.jsd.bench;

import static org.junit.Assert.assertEquals;

import org.junit.Assume;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Not a benchmark run: drives each benchmark's setup, a few operations and teardown directly
 * (no JMH runner, no timing), so `mvn verify` notices when the code under test moves away from
 * what the benchmarks wire up (graph options, the NBD components' @Reference fields, the handshake).
 */
public class BenchSetupTest {
    @BeforeClass
    public static void peers() {
        boolean qemuImg;
        try {
            qemuImg = new ProcessBuilder("qemu-img", "--version").start().waitFor() == 0;
        } catch (Exception e) {
            qemuImg = false;
        }
        Assume.assumeTrue("qemu-img missing", qemuImg);
    }

    @Test
    public void blockStacksDoIo() throws Exception {
        for (String stack : new String[] {"file", "raw", "qcow2", "null-co"}) {
            BlockIoBench b = new BlockIoBench();
            b.stack = stack;
            b.blockSize = 4096;
            b.sizeMiB = 4;
            b.open();
            try {
                BlockIoBench.Io t = new BlockIoBench.Io();
                t.init(b);
                for (int i = 0; i < 16; i++) {
                    assertEquals(4096, b.randWrite(t));
                    assertEquals(4096, b.randRead(t));
                }
            } finally {
                b.close();
            }
        }
    }

    @Test
    public void nbdEngineServesTheClient() throws Exception {
        for (String stack : new String[] {"null-co", "raw"}) {
            NbdRequestBench b = new NbdRequestBench();
            b.stack = stack;
            b.blockSize = 4096;
            b.sizeMiB = 4;
            b.start();
            try {
                NbdRequestBench.Conn c = new NbdRequestBench.Conn();
                c.connect(b);
                try {
                    assertEquals(4L << 20, c.client.size);
                    for (int i = 0; i < 16; i++) {
                        assertEquals(4096, b.randWrite(c));
                        assertEquals(4096, b.randRead(c));
                    }
                    assertEquals(4096, b.randWriteQd16(c));
                    assertEquals(4096, b.randReadQd16(c));
                } finally {
                    c.disconnect();
                }
            } finally {
                b.stop();
            }
        }
    }
}
