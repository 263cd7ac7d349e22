package io.jsd.nbd.internal;

import static org.junit.Assert.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.jsd.core.internal.exports.ExportService;
import io.jsd.driver.file.internal.FileDriver;
import io.jsd.options.Options;
import io.jsd.testkit.GraphHarness;
import io.jsd.testkit.QsdMonitor;

/**
 * nbd-server-start, block-export-add and block-export-del sent to the real qemu-storage-daemon and
 * to JSD's NBD server and export service: the same replies, in particular which error comes first
 * and what safe deletion does with a connected and with a just-departed client.
 */
public class QmpLikeQsdTest {
    private static final ObjectMapper M = new ObjectMapper();
    @Rule public TemporaryFolder tmp = new TemporaryFolder();
    private Path dir;
    private QsdMonitor qsd;
    private final GraphHarness graph = new GraphHarness().driver("file", new FileDriver());
    private final NbdService nbd = new NbdService();
    private ExportService exports;

    @Before
    public void start() throws Exception {
        Peers.assume("qemu-storage-daemon", "qemu-img", "qemu-io");
        dir = tmp.getRoot().toPath();
        qsd = new QsdMonitor(dir);
        exports = new ExportService(graph.graph, (io.jsd.qmp.QmpEvents) null);
        exports.addDriver("nbd", new NbdExportDriver(nbd));
        Peers.run("qemu-img", "create", "-f", "raw", dir.resolve("d.img").toString(), "1M").ok();
    }

    @After
    public void stop() throws Exception {
        if (exports != null) exports.closeAll();
        NbdServer s = nbd.current();
        if (s != null) new NbdServerStop(nbd, null).execute(Options.of(M.createObjectNode()), () -> false);
        if (qsd != null) qsd.close();
    }

    private JsonNode qsd(String json) throws Exception { return qsd.call(json.replace('\'', '"')); }

    /** The commands under test, dispatched as JSD's monitor does (unread arguments rejected last). */
    private JsonNode jsd(String json) throws Exception {
        JsonNode req = M.readTree(json.replace('\'', '"'));
        ObjectNode args = req.has("arguments") ? (ObjectNode) req.get("arguments") : M.createObjectNode();
        ObjectNode reply = JsonNodeFactory.instance.objectNode();
        try {
            Options o = Options.of(args.deepCopy());
            switch (req.get("execute").asText()) {
                case "nbd-server-start" -> new NbdServerStart(nbd, null).execute(o, () -> false);
                case "blockdev-add" -> graph.graph.add(o);
                case "block-export-add" -> exports.add(o, null);
                case "block-export-del" -> exports.delete(o.string("id"), o.string("mode", "safe").equals("hard"));
                default -> throw new IllegalArgumentException(json);
            }
            o.checkAllUsed();
            reply.putObject("return");
        } catch (Exception e) {
            reply.putObject("error").put("class", "GenericError").put("desc", e.getMessage());
        }
        return reply;
    }

    /** Sends {@code json} to both (each with its own socket paths) and requires the same reply. */
    private void both(String json) throws Exception {
        JsonNode expected = qsd(json.replace("@", dir + "/q"));
        JsonNode actual = jsd(json.replace("@", dir + "/j"));
        assertEquals(json, M.readTree(expected.toString().replace(dir + "/q", "@")), M.readTree(actual.toString().replace(dir + "/j", "@")));
    }

    private static Process holdingClient(String socket) throws Exception {
        return new ProcessBuilder("qemu-io", "-r", "-f", "raw", "-c", "sleep 1500", "nbd+unix:///x?socket=" + socket)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    @Test
    public void argumentErrorsComeInQsdsOrder() throws Exception {
        for (String s : List.of(
                "{'execute':'nbd-server-start','arguments':{'addr':{'type':'unix','data':{'path':'@n.sock'}},'bogus':1,'tls-creds':'nope'}}",
                "{'execute':'nbd-server-start','arguments':{'addr':{'type':'unix','data':{'path':'@n.sock'}},'tls-creds':'nope','max-connections':-1}}",
                "{'execute':'nbd-server-start','arguments':{'addr':{'type':'unix','data':{'path':'@n.sock','bogus':1}},'bogus2':1}}",
                "{'execute':'nbd-server-start','arguments':{'addr':{'type':'vsock','data':{'cid':'1','port':'2'}},'bogus':1}}",
                // QSD takes tls-authz without tls-creds and ignores it
                "{'execute':'nbd-server-start','arguments':{'addr':{'type':'unix','data':{'path':'@n.sock'}},'tls-authz':'a'}}",
                "{'execute':'nbd-server-start','arguments':{'addr':{'type':'unix','data':{'path':'@n.sock'}}}}",
                "{'execute':'nbd-server-start','arguments':{'addr':{'type':'unix','data':{'path':'@n.sock'}},'bogus':1}}",
                "{'execute':'nbd-server-start','arguments':{'addr':{'type':'unix','data':{'path':'@n.sock'}},'tls-creds':'nope'}}",
                "{'execute':'nbd-server-start','arguments':{'addr':{'type':'unix','data':{'path':'@n.sock','abstract':true}}}}",
                "{'execute':'blockdev-add','arguments':{'driver':'file','node-name':'f','locking':'off','filename':'" + dir.resolve("d.img") + "'}}",
                "{'execute':'block-export-add','arguments':{'type':'nbd','id':'e','node-name':'f','name':'x'}}",
                "{'execute':'block-export-add','arguments':{'type':'nbd','id':'e','node-name':'f','name':'x','bogus':1}}",
                "{'execute':'block-export-add','arguments':{'type':'nbd','id':'e2','node-name':'f','name':'x','bogus':1}}",
                "{'execute':'block-export-add','arguments':{'type':'nbd','id':'e2','node-name':'f','name':'x','writable':true,'bogus':1}}",
                "{'execute':'block-export-add','arguments':{'type':'nbd','id':'e','node-name':'f','name':'y','bogus':1}}",
                "{'execute':'block-export-add','arguments':{'type':'nbd','id':'e3','node-name':'nope','bogus':1}}",
                "{'execute':'block-export-add','arguments':{'type':'nbd','id':'e3','node-name':'f','name':'x','bitmaps':['b'],'description':'d'}}",
                "{'execute':'block-export-add','arguments':{'type':'nbd','id':'e3','node-name':'f','name':'z','bitmaps':['b']}}",
                "{'execute':'block-export-add','arguments':{'type':'nbd','id':'#e','node-name':'f','name':'x'}}",
                "{'execute':'block-export-add','arguments':{'type':'nbd','id':'e3','node-name':'f','name':'x','allocation-depth':'yes'}}")) {
            both(s);
        }
    }

    @Test
    public void safeDeletionWaitsForClientsLikeQsd() throws Exception {
        both("{'execute':'nbd-server-start','arguments':{'addr':{'type':'unix','data':{'path':'@n.sock'}}}}");
        both("{'execute':'blockdev-add','arguments':{'driver':'file','node-name':'f','locking':'off','filename':'" + dir.resolve("d.img") + "'}}");
        both("{'execute':'block-export-add','arguments':{'type':'nbd','id':'e','node-name':'f','name':'x'}}");
        Process q = holdingClient(dir + "/qn.sock"), j = holdingClient(dir + "/jn.sock");
        try {
            Thread.sleep(700); // both clients connected (each sleeps 1.5 s)
            both("{'execute':'block-export-del','arguments':{'id':'e'}}"); // export 'e' still in use
        } finally {
            for (Process p : List.of(q, j)) {
                if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
        // a client that has just exited no longer holds the export, for QSD and for JSD
        for (int i = 0; i < 5; i++) {
            for (String where : List.of("/qn.sock", "/jn.sock")) {
                Peers.run("qemu-io", "-r", "-f", "raw", "-c", "read 0 512", "nbd+unix:///x?socket=" + dir + where).ok();
            }
            both("{'execute':'block-export-del','arguments':{'id':'e'}}");
            both("{'execute':'block-export-add','arguments':{'type':'nbd','id':'e','node-name':'f','name':'x'}}");
        }
    }
}
