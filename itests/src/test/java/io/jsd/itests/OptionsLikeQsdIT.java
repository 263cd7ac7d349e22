package io.jsd.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Object, export, node and chardev options checked as qemu-storage-daemon checks them: each case
 * run against JSD and QSD side by side (QMP object-add / blockdev-add / block-export-add, and the
 * command line), asserting the same reply or the same error text and exit code. Options QSD
 * implements and JSD does not are refused with a clear error, never accepted and dropped.
 */
public class OptionsLikeQsdIT {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private static final String CAPS = "{\"execute\":\"qmp_capabilities\"}";

    private static String objectAdd(String props) {
        return "{\"execute\":\"object-add\",\"arguments\":{" + props + "}}";
    }

    /** QMP commands whose replies must be QSD's; each object gets a fresh id so earlier cases do not interfere. */
    private static List<String> qmpCases() {
        List<String> c = new ArrayList<>();
        String[] iothread = {"\"poll-max-ns\":-1", "\"poll-grow\":-1", "\"poll-shrink\":-1", "\"aio-max-batch\":-1", "\"thread-pool-min\":-1",
            "\"thread-pool-max\":-1", "\"thread-pool-min\":10,\"thread-pool-max\":5", "\"thread-pool-max\":0", "\"thread-pool-min\":2147483648",
            "\"poll-max-ns\":9223372036854775807", "\"poll-max-ns\":\"1\"", "\"bogus\":1", "\"poll-grow\":4294967296"};
        for (String p : iothread) c.add(objectAdd("\"qom-type\":\"iothread\",\"id\":\"ID\"," + p));
        String[] mainLoop = {"\"poll-max-ns\":1", "\"thread-pool-min\":-1", "\"aio-max-batch\":5"};
        for (String p : mainLoop) c.add(objectAdd("\"qom-type\":\"main-loop\",\"id\":\"ID\"," + p));
        String[] throttle = {"\"x-bps-total\":-1", "\"x-iops-total\":-1", "\"x-bps-total\":1000000000000001", "\"x-bps-total\":1000000000000000",
            "\"x-bps-total-max\":10", "\"x-bps-total\":100,\"x-bps-total-max\":10", "\"x-bps-total\":100,\"x-bps-total-max\":1000,\"x-bps-total-max-length\":0",
            "\"x-bps-total\":100,\"x-bps-total-max\":1000,\"x-bps-total-max-length\":86401", "\"x-bps-total-max-length\":2",
            "\"x-bps-total\":100,\"x-bps-read\":10", "\"x-iops-total\":100,\"x-iops-write\":10", "\"x-iops-size\":-1", "\"x-iops-size\":100",
            "\"x-bps-total\":1,\"x-bps-total-max-length\":4294967296", "\"limits\":{\"bps-total\":-1}", "\"limits\":{\"bps-total\":100}",
            "\"limits\":{\"bps-total-max-length\":4294967296}", "\"limits\":{\"iops-size\":-1}", "\"limits\":{\"bogus\":1}",
            "\"x-bps-read-max\":10,\"x-bps-read\":100", "\"x-iops-total-max-length\":5,\"x-iops-total\":1",
            "\"x-iops-total-max-length\":5,\"x-iops-total\":1,\"x-iops-total-max\":2", "\"x-bps-write\":1.5", "\"bogus\":1"};
        for (String p : throttle) c.add(objectAdd("\"qom-type\":\"throttle-group\",\"id\":\"ID\"," + p));
        c.add(objectAdd("\"qom-type\":\"pr-manager-helper\",\"id\":\"ID\""));
        c.add(objectAdd("\"qom-type\":\"pr-manager-helper\",\"id\":\"ID\",\"path\":\"/nonexistent/pr.sock\""));
        c.add(objectAdd("\"qom-type\":\"pr-manager-helper\",\"id\":\"ID\",\"path\":\"/nonexistent/pr.sock\",\"bogus\":1"));
        c.add(objectAdd("\"qom-type\":\"thread-context\",\"id\":\"ID\",\"cpu-affinity\":0"));
        c.add(objectAdd("\"qom-type\":\"thread-context\",\"id\":\"ID\",\"cpu-affinity\":[0]"));
        c.add(objectAdd("\"qom-type\":\"authz-list\",\"id\":\"ID\",\"policy\":\"bogus\""));
        c.add(objectAdd("\"qom-type\":\"authz-list-file\",\"id\":\"ID\",\"filename\":\"/nonexistent\""));
        for (String size : new String[] {"9223372036854775807", "9223372035781033985", "9223372035781033984", "9223372036854775808", "0", "511"}) {
            c.add("{\"execute\":\"blockdev-add\",\"arguments\":{\"driver\":\"null-co\",\"node-name\":\"ID\",\"size\":" + size + "}}");
        }
        c.add("{\"execute\":\"block-export-add\",\"arguments\":{\"type\":\"nbd\",\"id\":\"ID\",\"node-name\":\"n0\",\"iothread\":\"nope\"}}");
        c.add("{\"execute\":\"nbd-server-start\",\"arguments\":{\"addr\":{\"type\":\"inet\",\"data\":{\"host\":\"127.0.0.1\",\"port\":\"0\",\"keep-alive-count\":3}}}}");
        c.add("{\"execute\":\"nbd-server-start\",\"arguments\":{\"addr\":{\"type\":\"inet\",\"data\":{\"host\":\"127.0.0.1\",\"port\":\"0\",\"ipv6\":true}}}}");
        c.add("{\"execute\":\"nbd-server-start\",\"arguments\":{\"addr\":{\"type\":\"unix\",\"data\":{}}}}");
        c.add("{\"execute\":\"block-export-add\",\"arguments\":{\"type\":\"nbd\",\"id\":\"ID\",\"node-name\":\"n0\",\"iothread\":\"t0\"}}");
        return c;
    }

    @Test
    public void qmpRepliesAsQsd() throws Exception {
        Daemon.assumeQsd();
        List<String> cases = qmpCases();
        List<List<String>> replies = new ArrayList<>();
        for (Daemon.Kind kind : Daemon.Kind.values()) {
            Path dir = tmp.newFolder().toPath();
            List<String> out = new ArrayList<>();
            try (Daemon d = Daemon.start(kind, dir, List.of("--chardev", "socket,id=m0,path={dir}/q.sock,server=on,wait=off", "--monitor", "m0",
                    "--blockdev", "null-co,node-name=n0", "--object", "throttle-group,id=t0"));
                 QmpClient c = QmpClient.connect(d.socket("q.sock"), d.process)) {
                c.exchange(CAPS);
                for (int i = 0; i < cases.size(); i++) out.add(c.exchange(cases.get(i).replace("\"ID\"", "\"x" + i + "\"")).toString());
            }
            replies.add(out);
        }
        for (int i = 0; i < cases.size(); i++) assertEquals(cases.get(i), replies.get(1).get(i), replies.get(0).get(i));
    }

    private static final List<String> END = List.of("--object", "iothread,id=zzend", "--object", "iothread,id=zzend");

    /** The first line of stderr without the program name, and the exit code. */
    private static String outcome(Daemon.Result r) {
        String line = r.stderr().lines().filter(l -> !l.startsWith("Unexpected error in")).findFirst().orElse("");
        return r.exit() + " " + line.replaceFirst("^[^:]*: ", "");
    }

    /** Command-line cases: the same error text and exit code as QSD (the same options given through QMP are covered above). */
    @Test
    public void commandLineAsQsd() throws Exception {
        Daemon.assumeQsd();
        List<List<String>> cases = List.of(
                List.of("--object", "iothread,id=x,poll-max-ns=-1"),
                List.of("--object", "throttle-group,id=t,x-bps-total=-1"),
                List.of("--object", "throttle-group,id=t,limits.bps-total=-1"),
                List.of("--object", "iothread,id=x", "--blockdev", "null-co,node-name=n", "--export", "type=nbd,id=e,node-name=n,iothread=nope"),
                List.of("--blockdev", "null-co,node-name=n,size=9223372035781033985"),
                List.of("--chardev", "socket,id=c,path={dir}/s,server=on,wait=off,reconnect=1"),
                List.of("--chardev", "socket,id=c,host=127.0.0.1,port=0,server=on,wait=off,path={dir}/s"),
                List.of("--chardev", "socket,id=c,path={dir}/s,server=on,wait=off,tls-authz=x"),
                List.of("--chardev", "socket,id=c,host=127.0.0.1,port=0,server=on,wait=off,ipv6=on"),
                List.of("--chardev", "socket,id=c,host=127.0.0.1,port=0,server=on,wait=off,mptcp=on"),
                List.of("--chardev", "socket,id=c,host=127.0.0.1,port=0,to=5,nodelay=on,ipv4=on,server=on,wait=off"),
                List.of("--chardev", "socket,id=c,path={dir}/s,server=on,wait=off,telnet=off,mux=off,abstract=off,tight=on"));
        for (List<String> c : cases) {
            List<String> args = new ArrayList<>(c);
            args.addAll(END);
            String q = outcome(Daemon.run(Daemon.Kind.QSD, tmp.newFolder().toPath(), args, 30));
            String j = outcome(Daemon.run(Daemon.Kind.JSD, tmp.newFolder().toPath(), args, 120));
            assertEquals(String.join(" ", c), q.replaceAll("/tmp/[^ ,']*/", "DIR/"), j.replaceAll("/tmp/[^ ,']*/", "DIR/"));
        }
    }

    /** What QSD implements and JSD does not is refused with a clear error (QSD accepts these), and null-co's negative size (QSD aborts). */
    @Test
    public void unsupportedOptionsAreRefusedNotDropped() throws Exception {
        String[][] cases = {
            {"telnet=on", "chardev: socket: 'telnet' is not supported by JSD"},
            {"websocket=on", "chardev: socket: 'websocket' is not supported by JSD"},
            {"tn3270=on", "chardev: socket: 'tn3270' is not supported by JSD"},
            {"mux=on", "chardev: socket: 'mux' is not supported by JSD"},
            {"abstract=on", "chardev: socket: 'abstract' is not supported by JSD"},
            {"logfile={dir}/log", "chardev: socket: 'logfile' is not supported by JSD"}};
        for (String[] c : cases) {
            Daemon.Result r = Daemon.run(Daemon.Kind.JSD, tmp.newFolder().toPath(),
                    List.of("--chardev", "socket,id=c,path={dir}/s,server=on,wait=off," + c[0]), 120);
            assertNotEquals(c[0], 0, r.exit());
            assertTrue(c[0] + ": " + r.stderr(), r.stderr().contains(c[1]));
        }
        String[][] nbd = {
            {"addr.type=unix,addr.path={dir}/n.sock,addr.abstract=on", "Abstract unix sockets are not supported"},
            {"addr.type=inet,addr.host=127.0.0.1,addr.port=0,addr.keep-alive=on", "Socket address option 'keep-alive' is not supported by JSD"},
            {"addr.type=inet,addr.host=127.0.0.1,addr.port=0,addr.to=5", "Socket address option 'to' is not supported by JSD"}};
        for (String[] c : nbd) {
            Daemon.Result n = Daemon.run(Daemon.Kind.JSD, tmp.newFolder().toPath(), List.of("--nbd-server", c[0]), 120);
            assertNotEquals(c[0], 0, n.exit());
            assertTrue(c[0] + ": " + n.stderr(), n.stderr().contains(c[1]));
        }
        Daemon.Result r = Daemon.run(Daemon.Kind.JSD, tmp.newFolder().toPath(), List.of("--blockdev", "null-co,node-name=n,size=-1"), 120);
        assertEquals("1 --blockdev null-co,node-name=n,size=-1: Value '-1' is out of range for parameter 'size'", outcome(r));
    }
}
