package io.jsd.driver.file.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.junit.Assume.assumeTrue;

import io.jsd.block.BlockException;
import io.jsd.block.BlockNode;
import io.jsd.testkit.BlockNodeContract;
import io.jsd.testkit.GraphHarness;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.Test;

/**
 * host_device on a loop device made for the test (skipped unless losetup works here, i.e. as root
 * with loop devices available). The loop device is detached again afterwards.
 */
public class HostDeviceContractTest extends BlockNodeContract {
    private final GraphHarness h = new GraphHarness().driver("file", new FileDriver()).driver("host_device", new HostDeviceDriver());
    private Path backing;
    private String device;

    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return null;
        }
        return p.exitValue() == 0 ? out : null;
    }

    @Override
    protected BlockNode open(long size) throws Exception {
        assumeTrue("needs losetup", Files.isExecutable(Path.of("/usr/sbin/losetup")) || Files.isExecutable(Path.of("/sbin/losetup")));
        backing = Files.createTempFile("jsd-hostdev", ".img");
        try (RandomAccessFile f = new RandomAccessFile(backing.toFile(), "rw")) {
            f.setLength(size);
        }
        device = run("losetup", "-f", "--show", backing.toString());
        assumeTrue("cannot attach a loop device here", device != null && device.startsWith("/dev/loop"));
        return h.add("{'driver':'host_device','node-name':'d0','discard':'unmap','filename':'" + device + "'}").io();
    }

    @Override
    protected void close() throws Exception {
        h.clear();
        if (device != null) run("losetup", "-d", device);
        if (backing != null) Files.deleteIfExists(backing);
    }

    @Test
    public void aRegularFileIsNotAHostDevice() throws Exception {
        try {
            h.add("{'driver':'host_device','node-name':'x','filename':'" + backing + "'}");
            fail();
        } catch (BlockException e) {
            assertEquals("'host_device' driver requires '" + backing + "' to be either a character or block device", e.getMessage());
        }
        assertTrue(h.graph.require("d0").describe().get("file").asText().startsWith("/dev/loop"));
    }
}
