package io.jsd.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * QMP checks arguments before it acts, side by side with qemu-storage-daemon: each bad call (an
 * extra, a missing, a wrongly typed member, a bad enum value, nested objects and union branches)
 * gets QSD's error class and text from JSD, and afterwards the node, export and object are still
 * there (or were never made) and the daemon still answers.
 */
public class QmpValidationIT {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private static final String[] SETUP = {
        "{\"execute\":\"blockdev-add\",\"arguments\":{\"driver\":\"null-co\",\"node-name\":\"n0\",\"size\":1048576}}",
        "{\"execute\":\"nbd-server-start\",\"arguments\":{\"addr\":{\"type\":\"unix\",\"data\":{\"path\":\"{dir}/nbd.sock\"}}}}",
        "{\"execute\":\"block-export-add\",\"arguments\":{\"type\":\"nbd\",\"id\":\"e0\",\"node-name\":\"n0\"}}",
    };

    /** Each is sent to both daemons; both must fail the same way. */
    private static final String[] BAD = {
        "{\"execute\":\"blockdev-del\",\"arguments\":{\"node-name\":\"n0\",\"x\":1}}",
        "{\"execute\":\"blockdev-del\",\"arguments\":{}}",
        "{\"execute\":\"blockdev-del\",\"arguments\":{\"node-name\":1}}",
        "{\"execute\":\"blockdev-del\",\"arguments\":{\"node-name\":null}}",
        "{\"execute\":\"block_resize\",\"arguments\":{\"node-name\":\"n0\",\"size\":4096,\"x\":1}}",
        "{\"execute\":\"block_resize\",\"arguments\":{\"node-name\":\"n0\",\"size\":\"4096\"}}",
        "{\"execute\":\"block_resize\",\"arguments\":{\"node-name\":\"n0\",\"size\":1.5}}",
        "{\"execute\":\"block_resize\",\"arguments\":{\"node-name\":\"n0\"}}",
        "{\"execute\":\"job-cancel\",\"arguments\":{\"id\":\"j\",\"force\":true}}",
        "{\"execute\":\"job-cancel\",\"arguments\":{}}",
        "{\"execute\":\"job-dismiss\",\"arguments\":{\"id\":7}}",
        "{\"execute\":\"quit\",\"arguments\":{\"x\":1}}",
        "{\"execute\":\"quit\",\"arguments\":{\"x\":1,\"y\":2,\"z\":3,\"foo\":4,\"bar\":5,\"baz\":6,\"qux\":7,\"a-b\":8,\"c_d\":9}}",
        "{\"execute\":\"blockdev-add\",\"arguments\":{\"driver\":\"null-co\",\"node-name\":\"n1\",\"x\":1,\"y\":2,\"z\":3,\"size\":4096,\"w\":0}}",
        "{\"execute\":\"block-export-del\",\"arguments\":{\"id\":\"e0\",\"x\":1}}",
        "{\"execute\":\"block-export-del\",\"arguments\":{\"id\":\"e0\",\"mode\":\"soft\"}}",
        "{\"execute\":\"block-export-del\",\"arguments\":{\"id\":\"e0\",\"mode\":1}}",
        "{\"execute\":\"nbd-server-add\",\"arguments\":{\"device\":\"n0\",\"x\":1}}",
        "{\"execute\":\"nbd-server-add\",\"arguments\":{\"device\":1}}",
        "{\"execute\":\"nbd-server-add\",\"arguments\":{\"name\":\"a\"}}",
        "{\"execute\":\"nbd-server-remove\",\"arguments\":{\"name\":\"e0\",\"x\":1}}",
        "{\"execute\":\"nbd-server-start\",\"arguments\":{\"addr\":{\"type\":\"inet\",\"data\":{\"host\":\"a\"}}}}",
        "{\"execute\":\"nbd-server-start\",\"arguments\":{\"addr\":{\"type\":\"unix\",\"data\":{\"path\":1}}}}",
        "{\"execute\":\"nbd-server-start\",\"arguments\":{\"addr\":{\"type\":\"vsock\"}}}",
        "{\"execute\":\"nbd-server-stop\",\"arguments\":{\"x\":1}}",
        "{\"execute\":\"object-add\",\"arguments\":{\"qom-type\":\"secret\",\"id\":\"s0\",\"data\":\"x\",\"x\":1}}",
        "{\"execute\":\"object-add\",\"arguments\":{\"qom-type\":\"nope\",\"id\":\"s1\"}}",
        "{\"execute\":\"object-add\",\"arguments\":{\"qom-type\":\"iothread\",\"id\":\"t0\",\"poll-max-ns\":\"x\"}}",
        "{\"execute\":\"object-add\",\"arguments\":{\"qom-type\":\"throttle-group\",\"id\":\"t0\",\"limits\":{\"x\":1}}}",
        "{\"execute\":\"object-add\",\"arguments\":{\"qom-type\":\"secret\"}}",
        "{\"execute\":\"object-del\",\"arguments\":{\"id\":\"s0\",\"x\":1}}",
        "{\"execute\":\"blockdev-add\",\"arguments\":{\"driver\":\"null-co\",\"node-name\":\"n1\",\"x\":1}}",
        "{\"execute\":\"blockdev-add\",\"arguments\":{\"driver\":\"nope\",\"node-name\":\"n1\"}}",
        "{\"execute\":\"blockdev-add\",\"arguments\":{\"node-name\":\"n1\"}}",
        "{\"execute\":\"blockdev-add\",\"arguments\":{\"driver\":1}}",
        "{\"execute\":\"blockdev-add\",\"arguments\":{\"driver\":\"null-co\",\"node-name\":\"n1\",\"size\":\"x\"}}",
        "{\"execute\":\"blockdev-add\",\"arguments\":{\"driver\":\"null-co\",\"node-name\":\"n1\",\"cache\":{\"direct\":1}}}",
        "{\"execute\":\"blockdev-add\",\"arguments\":{\"driver\":\"null-co\",\"node-name\":\"n1\",\"cache\":{\"x\":1}}}",
        "{\"execute\":\"blockdev-add\",\"arguments\":{\"driver\":\"null-co\",\"node-name\":\"n1\",\"cache\":1}}",
        "{\"execute\":\"blockdev-add\",\"arguments\":{\"driver\":\"raw\",\"node-name\":\"n1\",\"file\":1}}",
        "{\"execute\":\"blockdev-add\",\"arguments\":{\"driver\":\"raw\",\"node-name\":\"n1\"}}",
        "{\"execute\":\"blockdev-add\",\"arguments\":{\"driver\":\"raw\",\"node-name\":\"n1\",\"file\":{\"driver\":\"null-co\",\"x\":1}}}",
        "{\"execute\":\"blockdev-add\",\"arguments\":{\"driver\":\"raw\",\"node-name\":\"n1\",\"file\":{\"driver\":\"null-co\",\"detect-zeroes\":\"x\"}}}",
        "{\"execute\":\"blockdev-add\",\"arguments\":{\"driver\":\"qcow2\",\"node-name\":\"n1\",\"file\":\"n0\",\"backing\":1}}",
        "{\"execute\":\"blockdev-add\",\"arguments\":{\"driver\":\"qcow2\",\"node-name\":\"n1\",\"file\":\"n0\",\"overlap-check\":\"x\"}}",
        "{\"execute\":\"blockdev-add\",\"arguments\":{\"driver\":\"qcow2\",\"node-name\":\"n1\",\"file\":\"n0\",\"encrypt\":{\"format\":\"aes\",\"x\":1}}}",
        "{\"execute\":\"blockdev-add\",\"arguments\":{\"driver\":\"file\"}}",
        "{\"execute\":\"blockdev-add\",\"arguments\":{\"driver\":\"file\",\"filename\":\"/x\",\"locking\":\"maybe\"}}",
        "{\"execute\":\"blockdev-create\",\"arguments\":{\"job-id\":\"j\",\"options\":{\"driver\":\"file\",\"filename\":\"{dir}/x.img\",\"size\":1,\"x\":1}}}",
        "{\"execute\":\"blockdev-create\",\"arguments\":{\"job-id\":\"j\",\"options\":{\"driver\":\"file\"}}}",
        "{\"execute\":\"blockdev-create\",\"arguments\":{\"job-id\":\"j\",\"options\":{\"driver\":\"qcow2\",\"file\":\"n0\",\"size\":1,\"version\":\"v4\"}}}",
        "{\"execute\":\"blockdev-create\",\"arguments\":{\"job-id\":\"j\"}}",
        "{\"execute\":\"block-export-add\",\"arguments\":{\"type\":\"nbd\",\"id\":\"e1\",\"node-name\":\"n0\",\"x\":1}}",
        "{\"execute\":\"block-export-add\",\"arguments\":{\"type\":\"nbd\",\"id\":\"e1\",\"node-name\":\"n0\",\"bitmaps\":[1]}}",
        "{\"execute\":\"block-export-add\",\"arguments\":{\"type\":\"nbd\",\"id\":\"e1\"}}",
        "{\"execute\":\"block-export-add\",\"arguments\":{\"type\":\"vhost-user-blk\",\"id\":\"e1\",\"node-name\":\"n0\",\"addr\":{\"type\":\"unix\",\"path\":\"{dir}/vu.sock\"},\"num-queues\":99999999}}",
        "{\"execute\":\"block-export-add\",\"arguments\":{\"type\":\"vhost-user-blk\",\"id\":\"e1\",\"node-name\":\"n0\",\"addr\":{\"type\":\"unix\",\"path\":\"{dir}/vu.sock\"},\"logical-block-size\":\"x\"}}",
        "{\"execute\":\"query-named-block-nodes\",\"arguments\":{\"flat\":\"x\"}}",
        "{\"execute\":\"query-blockstats\",\"arguments\":{\"query-nodes\":1}}",
        "{\"execute\":\"query-version\",\"arguments\":{\"x\":1}}",
        "{\"execute\":\"qmp_capabilities\",\"arguments\":{\"enable\":[\"x\"]}}",
        "{\"execute\":\"qmp_capabilities\",\"arguments\":{\"x\":1}}",
        "{\"execute\":\"qmp_capabilities\",\"arguments\":{\"enable\":[\"oob\"]}}",
        "{\"execute\":\"x-debug-query-block-graph\",\"arguments\":{\"x\":1}}",
    };

    @Test
    public void badArgumentsFailAsInQsdAndChangeNothing() throws Exception {
        Daemon.assumeQsd();
        List<String> jsd = replies(Daemon.Kind.JSD), qsd = replies(Daemon.Kind.QSD);
        List<String> diffs = new ArrayList<>();
        for (int i = 0; i < jsd.size(); i++) {
            if (!jsd.get(i).equals(qsd.get(i))) diffs.add(i + ": JSD " + jsd.get(i) + "\n   QSD " + qsd.get(i));
        }
        assertTrue(String.join("\n", diffs), diffs.isEmpty());
    }

    /** The command line runs the same commands with key=value arguments, converted as qemu's keyval visitor does. */
    private static final List<List<String>> BAD_OPTIONS = List.of(
            List.of("--blockdev", "null-co,node-name=a,read-zeroes=maybe"),
            List.of("--blockdev", "null-co,node-name=a,read-zeroes=yes,x=1"),
            List.of("--blockdev", "null-co,node-name=a,latency-ns=x"),
            List.of("--blockdev", "null-co,node-name=a,x=1"),
            List.of("--blockdev", "null-co,node-name=a,cache.direct=1"),
            List.of("--blockdev", "null-co,node-name=a,node-name.x=1"),
            List.of("--blockdev", "raw,node-name=a,file.driver=null-co,file.x=1"),
            List.of("--blockdev", "raw,node-name=a,file.driver=null-co,file.detect-zeroes=x"),
            List.of("--object", "iothread,id=i,poll-max-ns=1,x=2"),
            List.of("--object", "throttle-group,id=t,limits.x=1"),
            List.of("--object", "thread-context,id=t,cpu-affinity.0=1,cpu-affinity.1=x"),
            List.of("--object", "thread-context,id=t,cpu-affinity.0=1,cpu-affinity.2=3"),
            List.of("--blockdev", "qcow2,node-name=a,file=x,overlap-check.template=foo"),
            List.of("--blockdev", "null-co,node-name=a,size=-0x10,x=1"),
            List.of("--object", "secret,id=s,data=x,format=hex"),
            List.of("--nbd-server", "addr.type=inet,addr.host=127.0.0.1"),
            List.of("--nbd-server", "addr.type=unix,addr.path={dir}/n.sock,max-connections=x"),
            List.of("--blockdev", "null-co,node-name=a", "--export", "nbd,id=e,node-name=a,x=1"),
            List.of("--blockdev", "null-co,node-name=a", "--export", "nbd,id=e,node-name=a,writable=maybe"));

    @Test
    public void badCommandLineOptionsFailAsInQsd() throws Exception {
        Daemon.assumeQsd();
        List<String> diffs = new ArrayList<>();
        for (List<String> args : BAD_OPTIONS) {
            Path dq = tmp.newFolder().toPath(), dj = tmp.newFolder().toPath();
            Daemon.Result q = Daemon.run(Daemon.Kind.QSD, dq, args, 30);
            Daemon.Result j = Daemon.run(Daemon.Kind.JSD, dj, args, 60);
            String qErr = q.stderr().replace("qemu-storage-daemon:", "jsd:").replace(dq.toString(), "<dir>").strip();
            String jErr = j.stderr().replace(dj.toString(), "<dir>").strip();
            if (q.exit() != j.exit() || !qErr.equals(jErr)) diffs.add(args + ": QSD " + q.exit() + " " + qErr + " | JSD " + j.exit() + " " + jErr);
        }
        assertTrue(String.join("\n", diffs), diffs.isEmpty());
    }

    /** Setup, every bad call, then what must be unchanged; one line per reply ("class: desc" or the state). */
    private List<String> replies(Daemon.Kind kind) throws Exception {
        Path dir = tmp.newFolder().toPath();
        List<String> out = new ArrayList<>();
        try (Daemon d = Daemon.start(kind, dir, List.of("--chardev", "socket,id=m0,path={dir}/q.sock,server=on,wait=off", "--monitor", "m0"));
             QmpClient c = QmpClient.connect(d.socket("q.sock"), d.process)) {
            c.exchange("{\"execute\":\"qmp_capabilities\"}");
            for (String s : SETUP) assertTrue(kind + " " + s, c.exchange(s.replace("{dir}", dir.toString())).has("return"));
            for (String s : BAD) {
                JsonNode r = c.exchange(s.replace("{dir}", dir.toString()));
                out.add(s + " -> " + (r.has("error") ? r.path("error").path("class").asText() + ": " + r.path("error").path("desc").asText() : "OK " + r));
            }
            // nothing happened: the node (same size), the export, the server; no n1, s0, t0 or job
            JsonNode nodes = c.exchange("{\"execute\":\"query-named-block-nodes\"}").path("return");
            List<String> names = new ArrayList<>();
            for (JsonNode n : nodes) names.add(n.path("node-name").asText() + "=" + n.path("image").path("virtual-size").asLong());
            out.add("nodes " + names);
            List<String> exports = new ArrayList<>();
            for (JsonNode e : c.exchange("{\"execute\":\"query-block-exports\"}").path("return")) exports.add(e.path("id").asText());
            out.add("exports " + exports);
            out.add("jobs " + c.exchange("{\"execute\":\"query-jobs\"}").path("return"));
            // s0 and t0 were never made: making them now works
            out.add("s0 " + c.exchange("{\"execute\":\"object-add\",\"arguments\":{\"qom-type\":\"secret\",\"id\":\"s0\",\"data\":\"x\"}}"));
            out.add("t0 " + c.exchange("{\"execute\":\"object-add\",\"arguments\":{\"qom-type\":\"iothread\",\"id\":\"t0\"}}"));
            out.add("alive " + c.exchange("{\"execute\":\"query-block-exports\"}").has("return"));
            assertTrue(kind + " still running", d.process.isAlive());
        }
        assertEquals(BAD.length + 6, out.size());
        return out;
    }
}
