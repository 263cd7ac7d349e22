package io.jsd.nbd.internal;

import static org.junit.Assert.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.jsd.block.NodeHandle;
import io.jsd.driver.file.internal.FileDriver;
import io.jsd.driver.raw.internal.RawDriver;
import io.jsd.export.Export;
import io.jsd.qcow2.internal.Qcow2Driver;
import io.jsd.testkit.GraphHarness;

/**
 * Exports of real nodes (core's graph, file + raw / qcow2 drivers) against the same image served by
 * qemu-storage-daemon: nbdinfo --map for base:allocation and qemu:allocation-depth must agree.
 */
public class RealDriversTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private GraphHarness graph;
    private TestServer server;
    private Path dir;

    @Before
    public void setUp() throws Exception {
        Peers.assume("qemu-img", "qemu-io", "qemu-storage-daemon", "nbdinfo");
        dir = tmp.getRoot().toPath();
        graph = new GraphHarness().driver("file", new FileDriver()).driver("raw", new RawDriver())
                .driver("qcow2", new Qcow2Driver());
        server = new TestServer(tmp.newFolder("jsd").toPath());
    }

    @After
    public void tearDown() throws Exception {
        if (server != null) server.close();
        if (graph != null) graph.clear();
    }

    private List<String> jsdMaps(String blockdevJson, String nodeName) throws Exception {
        NodeHandle h = graph.add(blockdevJson);
        Export e = new NbdExportDriver(server.service).create(new StubContext("e", h,
                (com.fasterxml.jackson.databind.node.ObjectNode) TestServer.JSON.readTree("{\"name\":\"disk\",\"allocation-depth\":true}"),
                false));
        try {
            return maps(server.uri("disk"));
        } finally {
            e.close(true);
            graph.clear();
        }
    }

    private static List<String> maps(String uri) throws Exception {
        List<String> out = new ArrayList<>();
        out.add(Peers.run("nbdinfo", "--map", uri).ok().out());
        out.add(Peers.run("nbdinfo", "--map=qemu:allocation-depth", uri).ok().out());
        return out;
    }

    private List<String> qsdMaps(String... blockdevs) throws Exception {
        Path sock = dir.resolve("qsd.sock");
        List<String> cmd = new ArrayList<>(List.of("qemu-storage-daemon"));
        for (String b : blockdevs) {
            cmd.add("--blockdev");
            cmd.add(b);
        }
        cmd.addAll(List.of("--nbd-server", "addr.type=unix,addr.path=" + sock,
                "--export", "type=nbd,id=e,node-name=top,name=disk,allocation-depth=on"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("qsd.log").toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!java.nio.file.Files.exists(sock) && System.nanoTime() < deadline) Thread.sleep(20);
            return maps("nbd+unix:///disk?socket=" + sock);
        } finally {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly();
        }
    }

    @Test
    public void rawFileMatchesQsd() throws Exception {
        Path img = dir.resolve("a.raw");
        Peers.run("qemu-img", "create", "-f", "raw", img.toString(), "8M").ok();
        Peers.run("qemu-io", "-f", "raw", "-c", "write -P 1 0 64k", "-c", "write -P 2 3M 1M", "-c", "write -z 5M 64k",
                img.toString()).ok();
        List<String> jsd = jsdMaps("{\"driver\":\"raw\",\"node-name\":\"top\",\"file\":{\"driver\":\"file\",\"filename\":\""
                + img + "\"}}", "top");
        List<String> qsd = qsdMaps("driver=file,node-name=f,filename=" + img + ",read-only=on",
                "driver=raw,node-name=top,file=f,read-only=on");
        assertEquals(qsd, jsd);
    }

    @Test
    public void qcow2BackingChainMatchesQsd() throws Exception {
        Path base = dir.resolve("base.qcow2");
        Path top = dir.resolve("top.qcow2");
        Peers.run("qemu-img", "create", "-f", "qcow2", base.toString(), "8M").ok();
        Peers.run("qemu-io", "-f", "qcow2", "-c", "write -P 1 0 1M", "-c", "write -z 2M 1M", base.toString()).ok();
        Peers.run("qemu-img", "create", "-f", "qcow2", "-b", base.toString(), "-F", "qcow2", top.toString()).ok();
        Peers.run("qemu-io", "-f", "qcow2", "-c", "write -P 3 512k 1M", "-c", "write -z 4M 64k", "-c", "discard 6M 1M",
                top.toString()).ok();
        List<String> jsd = jsdMaps("{\"driver\":\"qcow2\",\"node-name\":\"top\",\"read-only\":true,\"file\":{\"driver\":\"file\",\"filename\":\""
                + top + "\"}}", "top");
        List<String> qsd = qsdMaps("driver=qcow2,node-name=top,read-only=on,file.driver=file,file.filename=" + top);
        assertEquals(qsd, jsd);
    }
}
