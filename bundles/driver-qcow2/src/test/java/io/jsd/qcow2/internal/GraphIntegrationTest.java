package io.jsd.qcow2.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.After;
import org.junit.Assume;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.jsd.block.BlockGraph;
import io.jsd.block.BlockNode;
import io.jsd.block.CreateContext;
import io.jsd.block.NodeHandle;
import io.jsd.driver.file.internal.FileDriver;
import io.jsd.objects.ObjectRegistry;
import io.jsd.testkit.GraphHarness;
import io.jsd.testkit.Json;

/** qcow2 in core's real graph with the real file driver: backing chains from headers, data files, create. */
public class GraphIntegrationTest {
    @Rule public TemporaryFolder tmp = new TemporaryFolder();
    private final GraphHarness h = new GraphHarness().driver("file", new FileDriver()).driver("qcow2", new Qcow2Driver());

    @BeforeClass
    public static void peers() { Assume.assumeTrue(Harness.haveQemu()); }

    @After
    public void clear() { h.clear(); }

    private byte[] readAll(BlockNode n) throws Exception {
        byte[] b = new byte[(int) n.size()];
        n.read(0, ByteBuffer.wrap(b));
        return b;
    }

    private byte[] qemuRaw(Path img) throws Exception {
        Path raw = img.resolveSibling(img.getFileName() + ".raw");
        Harness.run("qemu-img", "convert", "-U", "-O", "raw", img.toString(), raw.toString());
        return Files.readAllBytes(raw);
    }

    @Test
    public void backingChainFromHeadersWithRelativeNames() throws Exception {
        Path dir = tmp.getRoot().toPath();
        Images.make(Images.all().get("backing-chain-3"), dir);
        Path img = dir.resolve("img.qcow2");
        NodeHandle top = h.add("{'driver':'qcow2','node-name':'top','file':{'driver':'file','filename':'" + img + "'}}");
        assertArrayEquals(qemuRaw(img), readAll(top.io()));
        // the chain is in the graph: top, its file, b1 (+file), b0 (+file)
        List<NodeHandle> nodes = h.graph.nodes();
        assertEquals(nodes.toString(), 6, nodes.size());
        long qcow2Nodes = nodes.stream().filter(n -> n.driver().equals("qcow2")).count();
        assertEquals(3, qcow2Nodes);
    }

    @Test
    public void backingNullHidesTheBackingFile() throws Exception {
        Path dir = tmp.getRoot().toPath();
        Images.make(Images.all().get("backing"), dir);
        Path img = dir.resolve("img.qcow2");
        NodeHandle top = h.add("{'driver':'qcow2','node-name':'top','backing':null,'file':{'driver':'file','filename':'" + img + "'}}");
        byte[] got = readAll(top.io());
        assertEquals(0, got[4 << 20]); // unallocated here, the backing file would say 0x5a
        assertEquals((byte) 0xa1, got[0]);
    }

    @Test
    public void dataFileFromTheHeader() throws Exception {
        Path dir = tmp.getRoot().toPath();
        Images.make(Images.all().get("data-file"), dir);
        Path img = dir.resolve("img.qcow2");
        byte[] want = qemuRaw(img);
        NodeHandle q = h.add("{'driver':'qcow2','node-name':'q','file':{'driver':'file','filename':'" + img + "'}}");
        assertArrayEquals(want, readAll(q.io()));
        q.io().write(4096, ByteBuffer.wrap(new byte[] {1, 2, 3}), 0);
        q.io().flush();
    }

    @Test
    public void createThroughTheGraphThenAddAndResize() throws Exception {
        Path img = tmp.getRoot().toPath().resolve("new.qcow2");
        CreateContext ctx = new CreateContext() {
            @Override public BlockGraph graph() { return h.graph; }
            @Override public ObjectRegistry objects() { return Harness.secrets(); }
            @Override public void progress(long c, long t) {}
        };
        new FileDriver().create((ObjectNode) Json.obj("{'filename':'" + img + "','size':0}"), ctx);
        h.add("{'driver':'file','node-name':'f0','filename':'" + img + "'}");
        new Qcow2Driver().create((ObjectNode) Json.obj("{'file':'f0','size':67108864,'cluster-size':65536,'lazy-refcounts':true}"), ctx);
        NodeHandle q = h.add("{'driver':'qcow2','node-name':'q0','file':'f0'}");
        assertEquals(64L << 20, q.io().size());
        q.io().write(1 << 20, ByteBuffer.wrap(new byte[65536]).put(0, (byte) 7), 0);
        q.io().truncate(128L << 20);
        assertEquals(128L << 20, q.io().size());
        h.clear();
        String info = Harness.run("qemu-img", "info", img.toString());
        assertTrue(info, info.contains("virtual size: 128 MiB") && info.contains("lazy refcounts: true"));
        String check = Harness.run("qemu-img", "check", img.toString());
        assertTrue(check, check.contains("No errors were found"));
    }
}
