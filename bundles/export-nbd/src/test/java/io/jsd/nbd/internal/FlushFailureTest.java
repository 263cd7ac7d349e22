package io.jsd.nbd.internal;

import static org.junit.Assert.assertEquals;

import java.nio.file.Path;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.jsd.block.NodeHandle;
import io.jsd.driver.file.internal.FileDriver;
import io.jsd.driver.raw.internal.RawDriver;
import io.jsd.export.Export;
import io.jsd.qcow2.internal.Qcow2Driver;
import io.jsd.testkit.FailingFlushDriver;
import io.jsd.testkit.GraphHarness;

/**
 * A flush that fails deep in the graph (below raw, below qcow2 and its metadata write-back)
 * reaches the NBD client as an error, for NBD_CMD_FLUSH and for writes with FUA; qemu-io over NBD
 * sees it.
 */
public class FlushFailureTest {
    @Rule public TemporaryFolder tmp = new TemporaryFolder();

    private final FailingFlushDriver failing = new FailingFlushDriver();
    private GraphHarness graph;
    private TestServer server;

    @Before
    public void setUp() throws Exception {
        Peers.assume("qemu-img", "qemu-io", "nbdsh");
        graph = new GraphHarness().driver("file", new FileDriver()).driver("raw", new RawDriver())
                .driver("qcow2", new Qcow2Driver()).driver("x-failing-flush", failing);
        server = new TestServer(tmp.newFolder("jsd").toPath());
    }

    @After
    public void tearDown() throws Exception {
        failing.failing.set(false);
        if (server != null) server.close();
        if (graph != null) graph.clear();
    }

    private String qemuIo(String... cmds) throws Exception {
        java.util.List<String> c = new java.util.ArrayList<>(java.util.List.of("qemu-io", "-t", "writeback", "-f", "raw"));
        for (String s : cmds) {
            c.add("-c");
            c.add(s);
        }
        c.add(server.uri("disk"));
        String out = Peers.run(c, 60).out();
        return out.replaceAll("(?m)^\\S+ KiB, .*\\n", "").replaceAll("(?m)^wrote .*\\n", "");
    }

    private String qemuIoWritethrough(String cmd) throws Exception {
        return Peers.run(java.util.List.of("qemu-io", "-f", "raw", "-c", cmd, server.uri("disk")), 60).out();
    }

    /** NBD_CMD_FLUSH from libnbd (with the system python, which has libnbd's module): "ok" or the errno name. */
    private String nbdshFlush() throws Exception {
        ProcessBuilder pb = new ProcessBuilder("nbdsh", "-u", server.uri("disk"), "-c",
                "h.pwrite(b'x' * 512, 0)\ntry:\n    h.flush()\n    print('ok')\nexcept nbd.Error as ex:\n    print(ex.errno)")
                .redirectErrorStream(true);
        pb.environment().put("PATH", "/usr/bin:/bin");
        Process p = pb.start();
        try {
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) throw new AssertionError("nbdsh timed out");
            return out;
        } finally {
            p.destroyForcibly();
        }
    }

    private void check(String format) throws Exception {
        Path img = tmp.getRoot().toPath().resolve("disk." + format);
        Peers.run("qemu-img", "create", "-q", "-f", format, img.toString(), "16M").ok();
        NodeHandle h = graph.add("{'driver':'" + format + "','node-name':'top','file':{'driver':'x-failing-flush',"
                + "'file':{'driver':'file','filename':'" + img + "'}}}");
        ObjectNode opts = (ObjectNode) TestServer.JSON.readTree("{\"name\":\"disk\",\"writable\":true}");
        Export e = new NbdExportDriver(server.service).create(new StubContext("e", h, opts, true));
        try {
            assertEquals(format + ": healthy", "", qemuIo("write -P 1 0 64k", "flush", "write -f -P 2 64k 64k"));
            failing.failing.set(true);
            // qcow2: the allocating write leaves dirty metadata, whose write-back then needs the flush
            assertEquals(format + ": failing", "write failed: Input/output error\n",
                    qemuIo("write -P 3 1M 64k", "flush", "write -f -P 4 2M 64k"));
            // NBD_CMD_FLUSH on its own (qemu-io's flush above may be skipped by qemu's block layer)
            assertEquals(format + ": nbdsh flush", "EIO\n", nbdshFlush());
            // qemu-io's default cache mode is writethrough: every write carries FUA
            assertEquals(format + ": writethrough", "write failed: Input/output error\n", qemuIoWritethrough("write -P 5 3M 4k"));
            failing.failing.set(false);
            assertEquals(format + ": nbdsh flush, recovered", "ok\n", nbdshFlush());
            assertEquals(format + ": recovered", "", qemuIo("flush", "read -P 3 1M 64k", "read -P 4 2M 64k")
                    .replaceAll("(?m)^read .*\\n", ""));
        } finally {
            e.close(true);
            graph.clear();
        }
    }

    @Test
    public void rawPassesTheFlushErrorToTheClient() throws Exception { check("raw"); }

    @Test
    public void qcow2PassesTheFlushErrorToTheClient() throws Exception { check("qcow2"); }
}
