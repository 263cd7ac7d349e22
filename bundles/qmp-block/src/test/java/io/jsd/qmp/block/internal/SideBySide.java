package io.jsd.qmp.block.internal;

import static org.junit.Assert.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.jsd.core.internal.graph.GraphService;
import io.jsd.driver.file.internal.FileDriver;
import io.jsd.driver.nullblk.internal.NullAioDriver;
import io.jsd.driver.nullblk.internal.NullCoDriver;
import io.jsd.driver.raw.internal.RawDriver;
import io.jsd.options.Options;
import io.jsd.qmp.QmpCommand;
import io.jsd.qmp.QmpException;
import io.jsd.qcow2.internal.Qcow2Driver;
import io.jsd.testkit.QsdMonitor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A scripted QMP session run on JSD's block commands (called directly, no daemon) and on the real
 * qemu-storage-daemon, requiring the same replies: generated node names and actual-size are
 * ignored, a failure names the first difference.
 */
final class SideBySide {
    private static final ObjectMapper M = new ObjectMapper();
    private final QsdMonitor qsd;
    private final Map<String, QmpCommand> jsd;

    /** {@code jsd} maps each command name the scripts use to JSD's command. */
    SideBySide(QsdMonitor qsd, Map<String, QmpCommand> jsd) {
        this.qsd = qsd;
        this.jsd = jsd;
    }

    /** JSD's side: a graph with the drivers the scripts use (file, raw, null-co, null-aio, qcow2). */
    static GraphService graph() {
        GraphService graph = new GraphService(null, null);
        graph.addDriver("file", new FileDriver());
        graph.addDriver("raw", new RawDriver());
        graph.addDriver("null-co", new NullCoDriver());
        graph.addDriver("null-aio", new NullAioDriver());
        graph.addDriver("qcow2", new Qcow2Driver());
        return graph;
    }

    /** blockdev-add, blockdev-del and query-named-block-nodes on {@code graph}, in a map a test may add to. */
    static Map<String, QmpCommand> nodeCommands(GraphService graph) {
        BlockdevAdd add = new BlockdevAdd();
        add.graph = graph;
        BlockdevDel del = new BlockdevDel();
        del.graph = graph;
        QueryNamedBlockNodes q = new QueryNamedBlockNodes();
        q.graph = graph;
        Map<String, QmpCommand> commands = new LinkedHashMap<>();
        commands.put("blockdev-add", add);
        commands.put("blockdev-del", del);
        commands.put("query-named-block-nodes", q);
        return commands;
    }

    /** Runs each command (single quotes for double) on both daemons and requires equal replies. */
    void compare(String... script) throws Exception { compare(List.of(script), null, null); }

    /** As {@link #compare(String...)}. */
    void compare(List<String> script) throws Exception { compare(script, null, null); }

    /**
     * As {@link #compare(List)}, but JSD is given the images in {@code jsdDir} where QSD is given
     * those in {@code qsdDir} (for images a daemon changes when it opens them), and its replies are
     * read back with QSD's directory.
     */
    void compare(List<String> script, String qsdDir, String jsdDir) throws Exception {
        for (String s : script) {
            String json = s.replace('\'', '"');
            JsonNode expected = normalise(qsd.call(json));
            JsonNode actual;
            if (qsdDir == null) {
                actual = normalise(jsdCall(json));
            } else {
                String reply = M.writeValueAsString(jsdCall(json.replace(qsdDir, jsdDir)));
                actual = normalise(M.readTree(reply.replace(jsdDir, qsdDir)));
            }
            assertEquals(json + "\nfirst difference: " + diff("", expected, actual), expected, actual);
        }
    }

    /** JSD's reply to one command, shaped as the QMP server would send it. */
    JsonNode jsdCall(String json) throws Exception {
        JsonNode req = M.readTree(json);
        ObjectNode reply = JsonNodeFactory.instance.objectNode();
        ObjectNode args = req.has("arguments") ? (ObjectNode) req.get("arguments") : JsonNodeFactory.instance.objectNode();
        try {
            Options o = Options.of(args.deepCopy());
            JsonNode r = jsd.get(req.get("execute").asText()).execute(o, () -> false);
            o.checkAllUsed();
            reply.set("return", r == null ? JsonNodeFactory.instance.objectNode() : r);
        } catch (QmpException e) {
            reply.putObject("error").put("class", e.errorClass()).put("desc", e.getMessage());
        } catch (Exception e) {
            reply.putObject("error").put("class", "GenericError").put("desc", e.getMessage());
        }
        return reply;
    }

    /** Generated node names and space usage differ between the daemons; the rest must not. */
    static JsonNode normalise(JsonNode n) {
        if (n.isTextual() && n.asText().matches("#block\\d+")) return TextNode.valueOf("#block");
        if (n.isIntegralNumber()) return LongNode.valueOf(n.longValue());
        if (n.isArray()) {
            ArrayNode a = JsonNodeFactory.instance.arrayNode();
            n.forEach(e -> a.add(normalise(e)));
            return a;
        }
        if (n.isObject()) {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            n.properties().forEach(e -> o.set(e.getKey(), e.getKey().equals("actual-size") ? TextNode.valueOf("*") : normalise(e.getValue())));
            return o;
        }
        return n;
    }

    /** The path and the two values where the replies first differ, for a readable failure. */
    static String diff(String path, JsonNode a, JsonNode b) {
        if (a.equals(b)) return null;
        if (a.isObject() && b.isObject()) {
            for (var e : a.properties()) {
                if (!b.has(e.getKey())) return path + "/" + e.getKey() + " missing in JSD";
                String d = diff(path + "/" + e.getKey(), e.getValue(), b.get(e.getKey()));
                if (d != null) return d;
            }
            for (var e : b.properties()) if (!a.has(e.getKey())) return path + "/" + e.getKey() + " only in JSD";
        }
        if (a.isArray() && b.isArray()) {
            for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
                String d = diff(path + "/" + i, a.get(i), b.get(i));
                if (d != null) return d;
            }
            return path + " length " + a.size() + " vs " + b.size();
        }
        return path + ": qsd " + a + " jsd " + b;
    }
}
