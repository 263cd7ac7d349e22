package io.jsd.nbd.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** qemu-img and qemu-io (qemu 10, extended headers) against exports of in-memory nodes. */
public class QemuClientsTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private TestServer server;
    private MemNode node;

    @Before
    public void setUp() throws Exception {
        Peers.assume("qemu-img", "qemu-io");
        server = new TestServer(tmp.getRoot().toPath());
        node = new MemNode(64L << 20);
        byte[] a = new byte[MemNode.CLUSTER * 2];
        java.util.Arrays.fill(a, (byte) 0x5a);
        node.write(1L << 20, ByteBuffer.wrap(a), 0);
        server.export("disk", node, true, "{\"description\":\"test disk\"}");
    }

    @After
    public void tearDown() throws Exception {
        if (server != null) server.close();
    }

    @Test
    public void infoShowsTheSize() throws Exception {
        String out = Peers.run("qemu-img", "info", "--output=json", server.uri("disk")).ok().out();
        assertTrue(out, out.contains("\"virtual-size\": 67108864"));
    }

    @Test
    public void mapShowsDataAndHoles() throws Exception {
        String out = Peers.run("qemu-img", "map", "--output=json", server.uri("disk")).ok().out();
        assertTrue(out, out.contains("\"start\": 0, \"length\": 1048576, \"depth\": 0, \"present\": true, \"zero\": true, \"data\": false"));
        assertTrue(out, out.contains("\"start\": 1048576, \"length\": 131072, \"depth\": 0, \"present\": true, \"zero\": false, \"data\": true"));
    }

    @Test
    public void qemuIoPatternsReadBack() throws Exception {
        String uri = server.uri("disk");
        Peers.run("qemu-io", "-f", "raw", "-c", "write -P 0xab 0 1M", "-c", "write -z 2M 1M",
                "-c", "discard 1M 64k", "-c", "aio_write -P 0xcd 4M 64k", "-c", "aio_flush",
                "-c", "write -f -P 0x11 8M 4k", uri).ok();
        String out = Peers.run("qemu-io", "-f", "raw", "-c", "read -P 0xab 0 1M", "-c", "read -P 0 2M 1M",
                "-c", "read -P 0xcd 4M 64k", "-c", "read -P 0x11 8M 4k", "-c", "read -P 0x5a 1088k 64k", uri).ok().out();
        assertTrue(out, !out.contains("Pattern verification failed"));
        ByteBuffer b = ByteBuffer.allocate(4096);
        node.read(8L << 20, b);
        assertEquals(0x11, b.get(0));
    }

    @Test
    public void convertBothWaysAndCompare() throws Exception {
        Path local = tmp.getRoot().toPath().resolve("copy.raw");
        Peers.run("qemu-img", "convert", "-f", "raw", "-O", "raw", server.uri("disk"), local.toString()).ok();
        Peers.run("qemu-img", "compare", "-f", "raw", "-F", "raw", local.toString(), server.uri("disk")).ok();
        // And back into a second export.
        MemNode target = new MemNode(64L << 20);
        server.export("target", target, true, null);
        Peers.run("qemu-img", "convert", "-n", "-f", "raw", "-O", "raw", local.toString(), server.uri("target")).ok();
        Peers.run("qemu-img", "compare", "-f", "raw", "-F", "raw", server.uri("disk"), server.uri("target")).ok();
        byte[] x = new byte[4096];
        byte[] y = new byte[4096];
        node.read(1L << 20, ByteBuffer.wrap(x));
        target.read(1L << 20, ByteBuffer.wrap(y));
        assertArrayEquals(x, y);
    }

    @Test
    public void readOnlyExportRefusesWrites() throws Exception {
        server.export("ro", node, false, null);
        Peers.Result r = Peers.run("qemu-io", "-f", "raw", "-c", "write -P 1 0 4k", server.uri("ro"));
        assertTrue(r.out(), r.exit() != 0 || r.out().contains("Operation not permitted") || r.out().contains("read-only"));
        assertTrue(!node.allocated(0));
    }

    @Test
    public void nbdinfoSeesContextsAndMap() throws Exception {
        Peers.assume("nbdinfo");
        MemNode base = new MemNode(4L << 20);
        base.write(0, ByteBuffer.wrap(new byte[MemNode.CLUSTER]), 0);
        MemNode top = new MemNode(4L << 20, base);
        top.write(2L << 20, ByteBuffer.wrap(new byte[MemNode.CLUSTER]), 0);
        server.export("layered", top, false, "{\"allocation-depth\":true}");
        String info = Peers.run("nbdinfo", server.uri("layered")).ok().out();
        assertTrue(info, info.contains("qemu:allocation-depth"));
        assertTrue(info, info.contains("block_size_maximum: 33554432"));
        String depth = Peers.run("nbdinfo", "--map=qemu:allocation-depth", server.uri("layered")).ok().out();
        List<String> lines = depth.lines().map(l -> l.trim().replaceAll("\\s+", " ")).toList();
        assertEquals(depth, List.of(
                "0 65536 2 backing depth 2",
                "65536 2031616 0 absent",
                "2097152 65536 1 local",
                "2162688 2031616 0 absent"), lines);
    }

    @Test
    public void nbdinfoListAndNbdcopy() throws Exception {
        Peers.assume("nbdinfo", "nbdcopy");
        String list = Peers.run("nbdinfo", "--list", "nbd+unix://?socket=" + server.socket).ok().out();
        assertTrue(list, list.contains("export=\"disk\"") && list.contains("description: test disk"));
        String map = Peers.run("nbdinfo", "--map", server.uri("disk")).ok().out();
        assertTrue(map, map.replaceAll("\\s+", " ").contains("1048576 131072 0 data"));
        Path local = tmp.getRoot().toPath().resolve("out.raw");
        Peers.run("nbdcopy", server.uri("disk"), local.toString()).ok();
        assertEquals(64L << 20, Files.size(local));
        MemNode target = new MemNode(64L << 20);
        server.export("in", target, true, null);
        Peers.run("nbdcopy", local.toString(), server.uri("in")).ok();
        Peers.run("qemu-img", "compare", "-f", "raw", "-F", "raw", local.toString(), server.uri("in")).ok();
    }
}
