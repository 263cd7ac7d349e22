package io.jsd.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.Assume;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The same scripted QMP session against bin/jsd and the real qemu-storage-daemon: replies must be
 * equal after {@link Replies#normalize} ("=" steps) or have the same structure ("~" steps).
 */
public class QmpSessionIT {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    /** One step: what to send, and "=" (same reply) or "~" (same shape). */
    record Step(String mode, String send) {}

    static Step eq(String s) { return new Step("=", s); }

    static Step shape(String s) { return new Step("~", s); }

    static final List<Step> CONTROL = List.of(
            eq("{\"execute\":\"query-version\"}"),
            eq("{\"execute\":\"query-version\",\"id\":\"a1\"}"),
            eq("{\"execute\":\"nope\"}"),
            eq("{\"execute\":\"qmp_capabilities\",\"id\":1}"),
            eq("{\"execute\":\"qmp_capabilities\"}"),
            eq("{\"execute\":\"nope\",\"id\":[1,2]}"),
            eq("{\"execute\":\"query-version\",\"arguments\":{\"x\":1}}"),
            shape("{\"execute\":\"query-version\",\"id\":{\"a\":\"b\"}}"),
            eq("[1,2]"),
            eq("\"str\""),
            eq("42"),
            eq("{\"foo\":1}"),
            eq("{\"execute\":1}"),
            eq("{}"),
            eq("{bad json}"),
            eq("{\"execute\":\"query-version\", \"arguments\": []}"),
            eq("{\"execute\":\"query-version\", \"control\": 1}"),
            eq("{\"exec-oob\":\"query-version\"}"),
            eq("{\"execute\":\"query-version\", \"id\": 4, \"id\": 5}"),
            eq("{\"execute\":\"query-version\", \"arguments\": {\"a\":1, \"a\":2}}"),
            eq("{'execute': 'nope', 'id': 'single quotes'}"),
            eq("{\"execute\":\"query-version\" \"id\": 1}"),
            eq("{\"execute\" 1}"),
            eq("{1: 2}"),
            eq("}"),
            eq("[".repeat(1030) + "]".repeat(5)),
            eq("{\"execute\":\"nope\",\"id\":\"a\u0001b\"}"),
            eq("{\"execute\":\"nope\",\"id\":\"\\u00e9\\ud83d\\ude00\"}"),
            eq("{\"execute\":\"nope\",\"id\":\"\\x\"}"),
            eq("{\"execute\":\"nope\",\"id\":-1.5e3}"),
            eq("{\"execute\":\"nope\",\"id\":18446744073709551615}"),
            eq("{\"execute\":\"nope\",\"id\":[true,false,null]}"),
            eq("{\"execute\":\"object-add\",\"arguments\":{\"qom-type\":\"iothread\",\"id\":\"io0\"}}"),
            eq("{\"execute\":\"object-add\",\"arguments\":{\"qom-type\":\"iothread\",\"id\":\"io0\"}}"),
            eq("{\"execute\":\"object-add\",\"arguments\":{\"qom-type\":\"bogus\",\"id\":\"x\"}}"),
            eq("{\"execute\":\"object-add\",\"arguments\":{\"qom-type\":\"secret\",\"id\":\"s0\",\"data\":\"pw\"}}"),
            eq("{\"execute\":\"object-add\",\"arguments\":{\"qom-type\":\"secret\",\"id\":\"s1\"}}"),
            eq("{\"execute\":\"object-add\",\"arguments\":{\"qom-type\":\"secret\",\"id\":\"s2\",\"data\":\"x\",\"bogus\":1}}"),
            eq("{\"execute\":\"object-add\",\"arguments\":{\"qom-type\":\"iothread\"}}"),
            eq("{\"execute\":\"object-add\",\"arguments\":{\"qom-type\":\"iothread\",\"id\":\"io1\",\"poll-max-ns\":\"x\"}}"),
            eq("{\"execute\":\"object-del\",\"arguments\":{\"id\":\"io0\"}}"),
            eq("{\"execute\":\"object-del\",\"arguments\":{\"id\":\"io0\"}}"),
            eq("{\"execute\":\"object-del\"}"),
            eq("{\"execute\":\"query-chardev\"}"),
            shape("{\"execute\":\"query-commands\"}"),
            shape("{\"execute\":\"query-version\"}"));

    /** Block-layer steps: run once the graph's commands are installed in JSD. */
    static final List<Step> BLOCK = List.of(
            eq("{\"execute\":\"blockdev-add\",\"arguments\":{\"driver\":\"null-co\"}}"),
            eq("{\"execute\":\"blockdev-add\",\"arguments\":{\"node-name\":\"n0\"}}"),
            eq("{\"execute\":\"blockdev-add\",\"arguments\":{\"driver\":\"null-co\",\"node-name\":\"n0\",\"size\":\"x\"}}"),
            eq("{\"execute\":\"blockdev-add\",\"arguments\":{\"driver\":\"null-co\",\"node-name\":\"n0\",\"size\":1048576}}"),
            eq("{\"execute\":\"blockdev-add\",\"arguments\":{\"driver\":\"null-co\",\"node-name\":\"n0\"}}"),
            eq("{\"execute\":\"blockdev-add\",\"arguments\":{\"driver\":\"raw\",\"node-name\":\"r0\",\"file\":{\"driver\":\"file\",\"filename\":\"{dir}/disk.img\"}}}"),
            shape("{\"execute\":\"query-named-block-nodes\"}"),
            eq("{\"execute\":\"blockdev-del\",\"arguments\":{\"node-name\":\"nope\"}}"),
            eq("{\"execute\":\"blockdev-del\",\"arguments\":{\"node-name\":\"r0\"}}"),
            eq("{\"execute\":\"blockdev-del\",\"arguments\":{\"node-name\":\"n0\"}}"),
            eq("{\"execute\":\"query-named-block-nodes\"}"));

    private List<JsonNode> session(Daemon.Kind kind, List<Step> steps) throws Exception {
        Path dir = tmp.newFolder(kind.name()).toPath();
        Files.write(dir.resolve("disk.img"), new byte[1 << 20]);
        List<JsonNode> out = new ArrayList<>();
        try (Daemon d = Daemon.start(kind, dir, List.of("--chardev", "socket,id=m0,path={dir}/qmp.sock,server=on,wait=off", "--monitor", "m0"));
             QmpClient c = QmpClient.connect(d.socket("qmp.sock"), d.process)) {
            out.add(Replies.normalize(c.greeting, dir.toString()));
            int n = 0;
            for (Step s : steps) {
                // A marker after each step collects every reply it caused (a bad token can cause two).
                String text = s.send().replace("{dir}", dir.toString());
                String marker = "sync-" + n++;
                c.sendRaw(text + "\n{\"execute\":\"x-sync\",\"id\":\"" + marker + "\"}\n");
                com.fasterxml.jackson.databind.node.ArrayNode replies = QmpClient.JSON.createArrayNode();
                for (JsonNode r = c.reply(); !r.path("id").asText().equals(marker); r = c.reply()) replies.add(r);
                out.add(Replies.normalize(replies.size() == 1 ? replies.get(0) : replies, dir.toString()));
            }
            c.exchange("{\"execute\":\"quit\"}");
        }
        return out;
    }

    private void compare(List<Step> steps) throws Exception {
        List<JsonNode> qsd = session(Daemon.Kind.QSD, steps);
        List<JsonNode> jsd = session(Daemon.Kind.JSD, steps);
        assertEquals("greeting", Replies.shape(qsd.get(0)), Replies.shape(jsd.get(0)));
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            JsonNode q = qsd.get(i + 1), j = jsd.get(i + 1);
            if (s.mode().equals("=")) assertEquals("reply to " + s.send(), q, j);
            else assertEquals("reply shape for " + s.send(), Replies.shape(q), Replies.shape(j));
        }
    }

    @Test
    public void controlSessionMatchesQsd() throws Exception {
        Daemon.assumeQsd();
        compare(CONTROL);
    }

    @Test
    public void blockSessionMatchesQsd() throws Exception {
        Daemon.assumeQsd();
        Path dir = tmp.newFolder("probe").toPath();
        boolean hasBlock;
        try (Daemon d = Daemon.start(Daemon.Kind.JSD, dir, List.of("--chardev", "socket,id=m0,path={dir}/qmp.sock,server=on,wait=off", "--monitor", "m0"));
             QmpClient c = QmpClient.connect(d.socket("qmp.sock"), d.process)) {
            c.exchange("{\"execute\":\"qmp_capabilities\"}");
            hasBlock = c.exchange("{\"execute\":\"query-commands\"}").toString().contains("\"blockdev-add\"");
            c.exchange("{\"execute\":\"quit\"}");
        }
        Assume.assumeTrue("JSD has blockdev-add (graph bundle installed)", hasBlock);
        List<Step> steps = new ArrayList<>();
        steps.add(eq("{\"execute\":\"qmp_capabilities\"}"));
        steps.addAll(BLOCK);
        compare(steps);
    }

    /**
     * Every command JSD offers is one QSD has; JSD's own additions are only under the "x-jsd-"
     * prefix (qemu's convention for experimental, vendor commands), e.g. the plugin commands.
     */
    @Test
    public void commandNamesAreQsds() throws Exception {
        Daemon.assumeQsd();
        List<Step> steps = List.of(eq("{\"execute\":\"qmp_capabilities\"}"), shape("{\"execute\":\"query-commands\"}"));
        Path dq = tmp.newFolder("q").toPath(), dj = tmp.newFolder("j").toPath();
        String q = sessionRaw(Daemon.Kind.QSD, dq, steps), j = sessionRaw(Daemon.Kind.JSD, dj, steps);
        JsonNode jsd = QmpClient.JSON.readTree(j), qsd = QmpClient.JSON.readTree(q);
        for (JsonNode c : jsd.path("return")) {
            if (c.path("name").asText().startsWith("x-jsd-")) continue;
            boolean found = false;
            for (JsonNode k : qsd.path("return")) found |= k.path("name").equals(c.path("name"));
            assertTrue("QSD also has " + c, found);
        }
    }

    private String sessionRaw(Daemon.Kind kind, Path dir, List<Step> steps) throws Exception {
        try (Daemon d = Daemon.start(kind, dir, List.of("--chardev", "socket,id=m0,path={dir}/qmp.sock,server=on,wait=off", "--monitor", "m0"));
             QmpClient c = QmpClient.connect(d.socket("qmp.sock"), d.process)) {
            JsonNode last = null;
            for (Step s : steps) last = c.exchange(s.send());
            c.exchange("{\"execute\":\"quit\"}");
            return last.toString();
        }
    }
}
