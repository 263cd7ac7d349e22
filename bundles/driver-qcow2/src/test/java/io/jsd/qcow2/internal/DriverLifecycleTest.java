package io.jsd.qcow2.internal;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;

import org.junit.Assume;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.jsd.block.NodeHandle;
import io.jsd.driver.file.internal.FileDriver;
import io.jsd.testkit.GraphHarness;

/** When the qcow2 driver leaves (bundle stop, daemon shutdown) its images are closed cleanly. */
public class DriverLifecycleTest {
    @Rule public TemporaryFolder tmp = new TemporaryFolder();

    @BeforeClass
    public static void peers() { Assume.assumeTrue(Harness.haveQemu()); }

    @Test
    public void driverStopStoresBitmapsAndMetadata() throws Exception {
        Path img = tmp.getRoot().toPath().resolve("img.qcow2");
        Harness.run("qemu-img", "create", "-q", "-f", "qcow2", img.toString(), "16M");
        Harness.run("qemu-img", "bitmap", "--add", img.toString(), "b0");
        Qcow2Driver q = new Qcow2Driver();
        GraphHarness h = new GraphHarness().driver("file", new FileDriver()).driver("qcow2", q);
        NodeHandle n = h.add("{'driver':'qcow2','node-name':'q0','file':{'driver':'file','filename':'" + img + "'}}");
        n.io().write(1 << 20, ByteBuffer.allocate(65536), 0);
        assertTrue(Harness.run("qemu-img", "info", "-U", img.toString()).contains("in-use"));
        h.graph.removeDriver("qcow2", q);
        String info = Harness.run("qemu-img", "info", "-U", img.toString());
        assertFalse(info, info.contains("in-use"));
        String check = Harness.run("qemu-img", "check", "-U", img.toString());
        assertTrue(check, check.contains("No errors were found"));
        h.clear();
    }
}
