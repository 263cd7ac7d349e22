package io.jsd.itests;

import static io.jsd.testkit.Tool.qemuImg;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jsd.testkit.BackingChains;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * bin/jsd, started in a directory that is not the images' one, opens backing chains made by the
 * real qemu-img: relative backing names resolve against each image's directory; an image that is
 * its own backing file, two naming each other and a chain deeper than the limit are refused with
 * a clear error (the chain 500 deep is one), leave no descriptor open in the daemon, and
 * the monitor keeps answering; a chain as deep as the limit (256) opens, is shown and closes.
 */
public class BackingChainIT {
    @Rule public TemporaryFolder tmp = new TemporaryFolder();

    private static long fds(Daemon d) throws Exception {
        try (var s = Files.list(Path.of("/proc/" + d.process.pid() + "/fd"))) {
            return s.count();
        }
    }

    private static String add(Path img) {
        return "{\"execute\":\"blockdev-add\",\"arguments\":{\"driver\":\"qcow2\",\"node-name\":\"top\","
                + "\"file\":{\"driver\":\"file\",\"filename\":\"" + img + "\"}}}";
    }

    private static final String DEL = "{\"execute\":\"blockdev-del\",\"arguments\":{\"node-name\":\"top\"}}";
    private static final String NODES = "{\"execute\":\"query-named-block-nodes\",\"arguments\":{\"flat\":true}}";

    /** The open is refused with {@code message}; the daemon holds no more descriptors than before and still answers. */
    private static void refused(Daemon d, QmpClient c, Path img, String message) throws Exception {
        long before = fds(d);
        JsonNode r = c.exchange(add(img));
        assertTrue(r.toString(), r.path("error").path("desc").asText().contains(message));
        assertTrue("descriptors leaked: " + before + " -> " + fds(d), fds(d) <= before);
        assertEquals(0, c.exchange(NODES).path("return").size());
    }

    @Test
    public void chainsOpenFromAnyDirectoryAndHostileOnesAreRefused() throws Exception {
        Path cwd = tmp.newFolder("cwd").toPath(), img = tmp.newFolder("img").toPath();
        Path sub = Files.createDirectory(img.resolve("sub"));
        qemuImg("create", "-q", "-f", "qcow2", sub.resolve("base.qcow2").toString(), "1M");
        qemuImg("create", "-q", "-f", "qcow2", "-b", "sub/base.qcow2", "-F", "qcow2", img.resolve("top.qcow2").toString());
        Path self = img.resolve("self.qcow2"), a = img.resolve("a.qcow2"), b = img.resolve("b.qcow2");
        for (Path p : List.of(self, a, b)) qemuImg("create", "-q", "-f", "qcow2", p.toString(), "1M");
        qemuImg("rebase", "-u", "-b", "self.qcow2", "-F", "qcow2", self.toString());
        qemuImg("rebase", "-u", "-b", "b.qcow2", "-F", "qcow2", a.toString());
        qemuImg("rebase", "-u", "-b", "a.qcow2", "-F", "qcow2", b.toString());
        Path deep = Files.createDirectory(img.resolve("deep")), tooDeep = Files.createDirectory(img.resolve("toodeep"));
        Path top256 = BackingChains.deep(deep, 256), top500 = BackingChains.deep(tooDeep, 500);

        try (Daemon d = Daemon.start(Daemon.Kind.JSD, cwd, List.of("--chardev", "socket,id=m0,path={dir}/q.sock,server=on,wait=off", "--monitor", "m0"));
             QmpClient c = QmpClient.connect(d.socket("q.sock"), d.process)) {
            c.exchange("{\"execute\":\"qmp_capabilities\"}");
            // relative to the image, not to the daemon's directory
            JsonNode added = c.exchange(add(img.resolve("top.qcow2")));
            assertTrue(added.toString(), added.has("return"));
            JsonNode nodes = c.exchange(NODES).path("return");
            assertEquals(4, nodes.size());
            for (JsonNode n : nodes) {
                if (n.path("node-name").asText().equals("top")) {
                    assertEquals(sub.resolve("base.qcow2").toString(), n.path("backing_file").asText());
                    assertEquals("sub/base.qcow2", n.path("image").path("backing-filename").asText());
                }
            }
            assertTrue(c.exchange(DEL).has("return"));

            refused(d, c, self, "Could not open backing file: Backing file chain loops: '" + self + "' is already part of it");
            refused(d, c, a, "Backing file chain loops: '" + a + "' is already part of it");
            refused(d, c, top500, "Could not open backing file: Backing file chain too deep: more than 256 backing files");

            long before = fds(d);
            assertTrue(c.exchange(add(top256)).has("return"));
            assertEquals(514, c.exchange(NODES).path("return").size());
            JsonNode all = c.exchange("{\"execute\":\"query-named-block-nodes\"}"); // the chain nested 256 deep
            int depth = -1;
            for (JsonNode n : all.path("return")) if (n.path("node-name").asText().equals("top")) depth = n.path("backing_file_depth").asInt();
            assertEquals(256, depth);
            assertTrue(c.exchange(DEL).has("return"));
            assertTrue("descriptors leaked: " + before + " -> " + fds(d), fds(d) <= before);
            assertTrue(c.exchange("{\"execute\":\"query-version\"}").has("return"));
        }
    }
}
