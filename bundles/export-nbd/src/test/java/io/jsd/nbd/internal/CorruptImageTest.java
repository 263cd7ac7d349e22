package io.jsd.nbd.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.jsd.block.NodeHandle;
import io.jsd.core.internal.graph.GraphService;
import io.jsd.driver.file.internal.FileDriver;
import io.jsd.export.Export;
import io.jsd.qcow2.internal.Qcow2Driver;
import io.jsd.testkit.Json;
import io.jsd.testkit.QsdMonitor;

/**
 * A qcow2 image whose refcount block was zeroed, served by JSD and by qemu-storage-daemon side by
 * side: a write to an unallocated cluster must not land on a cluster that holds data. Both put it
 * on cluster 0, refuse it with EIO (the overlap check: "overlaps with qcow2_header"), emit the same
 * BLOCK_IMAGE_CORRUPTED, mark the image corrupt and fail every later request; the guest data stays
 * intact, qemu-img check says the same about both images, and a writable open is refused alike.
 */
public class CorruptImageTest {
    @Rule public TemporaryFolder tmp = new TemporaryFolder();

    private final List<String> jsdEvents = new ArrayList<>();
    private GraphService graph;
    private TestServer server;
    private Path dir;

    @Before
    public void setUp() throws Exception {
        Peers.assume("qemu-img", "qemu-io", "qemu-storage-daemon");
        dir = tmp.getRoot().toPath();
        graph = new GraphService((name, data) -> {
            synchronized (jsdEvents) {
                jsdEvents.add(name + " " + data);
            }
        }, null);
        graph.addDriver("file", new FileDriver());
        graph.addDriver("qcow2", new Qcow2Driver());
        server = new TestServer(tmp.newFolder("jsd").toPath());
    }

    @After
    public void tearDown() throws Exception {
        if (server != null) server.close();
        for (NodeHandle n : graph.nodes().reversed()) {
            try {
                graph.delete(n.nodeName());
            } catch (Exception e) {
                // children go with their parents
            }
        }
    }

    /** An image with 1 MiB of 0x42 at offset 0 and its (only) refcount block zeroed. */
    private Path brokenImage(String name, String size) throws Exception {
        Path img = dir.resolve(name);
        Peers.run("qemu-img", "create", "-q", "-f", "qcow2", img.toString(), size).ok();
        Peers.run("qemu-io", "-f", "qcow2", "-c", "write -P 0x42 0 1M", img.toString()).ok();
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.seek(20);
            int clusterSize = 1 << f.readInt();
            f.seek(48);
            long refTable = f.readLong();
            f.seek(refTable);
            long block = f.readLong();
            f.seek(block);
            f.write(new byte[clusterSize]);
        }
        return img;
    }

    private static String qemuIo(String uri, String firstWrite) throws Exception {
        List<String> c = new ArrayList<>(List.of("qemu-io", "-f", "raw"));
        for (String s : new String[] {"write -P 0x55 " + firstWrite + " 64k", "write -P 0x56 9M 4k", "read -P 0x42 0 64k", "flush"}) {
            c.add("-c");
            c.add(s);
        }
        c.add(uri);
        return Peers.run(c, 60).out();
    }

    private static String blockdev(Path img) {
        return "{\"driver\":\"qcow2\",\"node-name\":\"top\",\"file\":{\"driver\":\"file\",\"filename\":\"" + img + "\"}}";
    }

    /** The new data cluster lands on cluster 0: the overlap check refuses the data write. */
    @Test
    public void zeroedRefcountBlockIsCaughtAsQsdCatchesIt() throws Exception {
        String event = sideBySide("16M", "8M");
        assertTrue(event, event.contains("overlaps with qcow2_header"));
    }

    /** The write needs a new L2 table, which would land on cluster 0: refused when it is allocated. */
    @Test
    public void l2TableAllocationAtOffsetZeroIsRefusedAsQsdRefusesIt() throws Exception {
        String event = sideBySide("1G", "600M");
        assertTrue(event, event.contains("Preventing invalid allocation of L2 table at offset 0"));
    }

    /** Runs the case through QSD and JSD, checks they agree, returns the event. */
    private String sideBySide(String size, String firstWrite) throws Exception {
        Path jsdImg = brokenImage("jsd.qcow2", size);
        Path qsdImg = brokenImage("qsd.qcow2", size);

        String qsdOut;
        String qsdEvent;
        String qsdReopen;
        try (QsdMonitor qsd = new QsdMonitor(dir)) {
            Path sock = dir.resolve("qsd-nbd.sock");
            ok(qsd.call("{\"execute\":\"blockdev-add\",\"arguments\":" + blockdev(qsdImg) + "}"));
            ok(qsd.call("{\"execute\":\"nbd-server-start\",\"arguments\":{\"addr\":{\"type\":\"unix\",\"data\":{\"path\":\"" + sock + "\"}}}}"));
            ok(qsd.call("{\"execute\":\"block-export-add\",\"arguments\":{\"type\":\"nbd\",\"id\":\"e\",\"node-name\":\"top\","
                    + "\"name\":\"disk\",\"writable\":true}}"));
            qsdOut = qemuIo("nbd+unix:///disk?socket=" + sock, firstWrite);
            ok(qsd.call("{\"execute\":\"block-export-del\",\"arguments\":{\"id\":\"e\"}}"));
            ok(qsd.call("{\"execute\":\"query-block-exports\"}")); // the export is gone once the client left
            ok(qsd.call("{\"execute\":\"blockdev-del\",\"arguments\":{\"node-name\":\"top\"}}"));
            List<JsonNode> ev = qsd.events().stream().filter(e -> e.get("event").asText().equals("BLOCK_IMAGE_CORRUPTED")).toList();
            assertEquals("QSD events: " + qsd.events(), 1, ev.size());
            qsdEvent = "BLOCK_IMAGE_CORRUPTED " + ev.get(0).get("data");
            JsonNode r = qsd.call("{\"execute\":\"blockdev-add\",\"arguments\":" + blockdev(qsdImg) + "}");
            qsdReopen = r.path("error").path("desc").asText();
        }

        NodeHandle h = graph.add(Json.obj(blockdev(jsdImg)));
        ObjectNode opts = (ObjectNode) TestServer.JSON.readTree("{\"name\":\"disk\",\"writable\":true}");
        Export e = new NbdExportDriver(server.service).create(new StubContext("e", h, opts, true));
        String jsdOut;
        try {
            jsdOut = qemuIo(server.uri("disk"), firstWrite);
        } finally {
            e.close(true);
            graph.delete("top");
        }
        String jsdReopen = null;
        try {
            graph.add(Json.obj(blockdev(jsdImg)));
            fail("a corrupt image opened writable");
        } catch (Exception ex) {
            jsdReopen = ex.getMessage();
        }

        assertEquals("write failed: Input/output error\nwrite failed: Invalid argument\nread failed: Invalid argument\n", qsdOut);
        assertEquals("qemu-io over NBD", qsdOut, jsdOut);
        synchronized (jsdEvents) {
            assertEquals(List.of(qsdEvent), jsdEvents);
        }
        assertEquals("writable reopen", qsdReopen, jsdReopen);

        Peers.Result qsdCheck = Peers.run("qemu-img", "check", qsdImg.toString());
        Peers.Result jsdCheck = Peers.run("qemu-img", "check", jsdImg.toString());
        assertEquals(2, qsdCheck.exit());
        assertEquals("qemu-img check", qsdCheck, jsdCheck);
        for (Path img : List.of(qsdImg, jsdImg)) {
            assertTrue(Peers.run("qemu-img", "info", img.toString()).out().contains("corrupt: true"));
            // the guest data that the refcount block no longer protected is intact
            Peers.run("qemu-io", "-r", "-f", "qcow2", "-c", "read -P 0x42 0 1M", img.toString()).ok();
        }
        assertTrue("images differ", java.util.Arrays.equals(Files.readAllBytes(qsdImg), Files.readAllBytes(jsdImg)));
        return qsdEvent;
    }

    private static void ok(JsonNode r) {
        if (!r.has("return")) throw new AssertionError(r.toString());
    }
}
