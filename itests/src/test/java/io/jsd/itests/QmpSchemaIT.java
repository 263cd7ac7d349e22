package io.jsd.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * JSD's query-qmp-schema against QSD's: for every command both have, the argument type compared
 * structurally and recursively (type names resolved: qemu numbers them), the return type where JSD
 * declares it (what JSD lists must match QSD; QSD's optional extras may be absent); every event
 * JSD lists has QSD's data type. The deliberate differences are listed below; anything else fails.
 */
public class QmpSchemaIT {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    /** Known, deliberate differences ("command: path: what"). */
    private static final Set<String> KNOWN = Set.of(
            // blockdev-create's backing-fmt is the BlockdevDriver enum: JSD lists its installed drivers
            "blockdev-create: options.(driver=qcow2).backing-fmt: enum values only in QSD [blkdebug, blklogwrites, blkreplay, "
                    + "blkverify, bochs, cloop, compress, copy-before-write, copy-on-read, dmg, ftp, ftps, gluster, host_cdrom, "
                    + "http, https, iscsi, luks, nbd, nfs, nvme, parallels, preallocate, qcow, qed, quorum, rbd, replication, "
                    + "snapshot-access, ssh, throttle, vdi, vhdx, vmdk, vpc, vvfat]",
            // BlockExportType in a return value: JSD lists its installed export types
            "query-block-exports: ret[].type: enum values only in QSD [fuse, vduse-blk]",
            // format-specific / driver-specific info: declared "any" (per-driver unions not declared)
            "query-block: ret[].inserted.image.format-specific: builtin instead of object",
            "query-blockstats: ret[].driver-specific: builtin instead of object",
            "query-named-block-nodes: ret[].image.format-specific: builtin instead of object",
            // SchemaInfo declared with its common members only, not as qemu's union on meta-type
            "query-qmp-schema: ret[]: union tag differs");

    @Test
    public void schemaMatchesQsdForEveryCommandBothHave() throws Exception {
        Daemon.assumeQsd();
        Map<String, JsonNode> jsd = schema(Daemon.Kind.JSD), qsd = schema(Daemon.Kind.QSD);
        Set<String> diffs = new TreeSet<>();
        int compared = 0;
        for (JsonNode j : jsd.values()) {
            String name = j.path("name").asText();
            String meta = j.path("meta-type").asText();
            if (!meta.equals("command") && !meta.equals("event")) continue;
            JsonNode q = qsd.get(name);
            if (q == null || !q.path("meta-type").asText().equals(meta)) {
                if (!name.startsWith("x-jsd-")) diffs.add(name + ": not in QSD");
                continue;
            }
            compared++;
            Compare c = new Compare(name, jsd, qsd, diffs);
            c.type("arg", j.path("arg-type").asText(), q.path("arg-type").asText(), false);
            if (meta.equals("command")) c.type("ret", j.path("ret-type").asText(), q.path("ret-type").asText(), true);
        }
        Set<String> unexpected = new TreeSet<>(diffs);
        unexpected.removeAll(KNOWN);
        Set<String> gone = new TreeSet<>(KNOWN);
        gone.removeAll(diffs);
        assertTrue("differences from QSD:\n" + String.join("\n", unexpected), unexpected.isEmpty());
        assertTrue("known differences no longer seen (remove them):\n" + String.join("\n", gone), gone.isEmpty());
        assertTrue("compared " + compared, compared > 30);
        for (String event : List.of("JOB_STATUS_CHANGE", "BLOCK_EXPORT_DELETED", "BLOCK_IMAGE_CORRUPTED")) {
            assertEquals(event, "event", jsd.get(event).path("meta-type").asText());
        }
    }

    /** Structural comparison of one command's types; pairs already under comparison are taken as equal (recursive types). */
    private static final class Compare {
        private final String command;
        private final Map<String, JsonNode> jsd, qsd;
        private final Set<String> diffs;
        private final Set<String> seen = new HashSet<>();

        Compare(String command, Map<String, JsonNode> jsd, Map<String, JsonNode> qsd, Set<String> diffs) {
            this.command = command;
            this.jsd = jsd;
            this.qsd = qsd;
            this.diffs = diffs;
        }

        void type(String path, String j, String q, boolean ret) {
            if (!seen.add(j + "\u0000" + q)) return;
            JsonNode a = jsd.get(j), b = qsd.get(q);
            if (a == null || b == null) {
                diffs.add(command + ": " + path + ": type " + (a == null ? j : q) + " not defined");
                return;
            }
            String ma = a.path("meta-type").asText(), mb = b.path("meta-type").asText();
            if (!ma.equals(mb)) {
                diffs.add(command + ": " + path + ": " + ma + " instead of " + mb);
                return;
            }
            switch (ma) {
                case "builtin" -> { if (!j.equals(q)) diffs.add(command + ": " + path + ": " + j + " instead of " + q); }
                case "enum" -> enumeration(path, a, b, false);
                case "array" -> type(path + "[]", a.path("element-type").asText(), b.path("element-type").asText(), ret);
                case "alternate" -> {
                    if (a.path("members").size() != b.path("members").size()) {
                        diffs.add(command + ": " + path + ": alternate branches differ");
                        return;
                    }
                    for (int i = 0; i < a.path("members").size(); i++) {
                        type(path, a.path("members").get(i).path("type").asText(), b.path("members").get(i).path("type").asText(), ret);
                    }
                }
                case "object" -> object(path, a, b, ret);
                default -> diffs.add(command + ": " + path + ": meta-type " + ma);
            }
        }

        private void enumeration(String path, JsonNode a, JsonNode b, boolean installedSubset) {
            Set<String> va = values(a), vb = values(b);
            Set<String> onlyJsd = new TreeSet<>(va);
            onlyJsd.removeAll(vb);
            Set<String> onlyQsd = new TreeSet<>(vb);
            onlyQsd.removeAll(va);
            if (!onlyJsd.isEmpty()) diffs.add(command + ": " + path + ": enum values only in JSD " + onlyJsd);
            if (!installedSubset && !onlyQsd.isEmpty()) diffs.add(command + ": " + path + ": enum values only in QSD " + onlyQsd);
        }

        private void object(String path, JsonNode a, JsonNode b, boolean ret) {
            Map<String, JsonNode> ma = members(a), mb = members(b);
            String p = path.equals("arg") ? "" : path + ".";
            if (path.equals("arg")) p = "";
            for (var e : mb.entrySet()) {
                JsonNode mj = ma.get(e.getKey());
                boolean optional = e.getValue().has("default");
                if (mj == null) {
                    if (!ret || !optional) diffs.add(command + ": " + p + e.getKey() + ": only in QSD");
                    continue;
                }
                if (mj.has("default") != optional) diffs.add(command + ": " + p + e.getKey() + ": optional differs");
                String tag = b.path("tag").asText(null);
                if (e.getKey().equals(tag) && qsd.get(e.getValue().path("type").asText()).path("meta-type").asText().equals("enum")) {
                    // a union's tag: JSD lists the installed drivers / export types / object types
                    enumeration(p + e.getKey(), jsd.get(mj.path("type").asText()), qsd.get(e.getValue().path("type").asText()), true);
                } else {
                    type(p + e.getKey(), mj.path("type").asText(), e.getValue().path("type").asText(), ret);
                }
            }
            for (String k : ma.keySet()) if (!mb.containsKey(k)) diffs.add(command + ": " + p + k + ": only in JSD");
            if (a.has("tag") != b.has("tag") || (a.has("tag") && !a.path("tag").equals(b.path("tag")))) {
                diffs.add(command + ": " + path + ": union tag differs");
                return;
            }
            Map<String, String> vb = new HashMap<>();
            for (JsonNode v : b.path("variants")) vb.put(v.path("case").asText(), v.path("type").asText());
            for (JsonNode v : a.path("variants")) {
                String c = v.path("case").asText();
                String q = vb.get(c);
                if (q == null) diffs.add(command + ": " + path + ": variant " + c + " only in JSD");
                else type(p + "(" + a.path("tag").asText() + "=" + c + ")", v.path("type").asText(), q, ret);
            }
        }
    }

    private static Set<String> values(JsonNode e) {
        Set<String> s = new LinkedHashSet<>();
        for (JsonNode v : e.path("values")) s.add(v.asText());
        return s;
    }

    private static Map<String, JsonNode> members(JsonNode o) {
        Map<String, JsonNode> m = new java.util.LinkedHashMap<>();
        for (JsonNode x : o.path("members")) m.put(x.path("name").asText(), x);
        return m;
    }

    private Map<String, JsonNode> schema(Daemon.Kind kind) throws Exception {
        Path dir = tmp.newFolder().toPath();
        try (Daemon d = Daemon.start(kind, dir, List.of("--chardev", "socket,id=m0,path={dir}/q.sock,server=on,wait=off", "--monitor", "m0"));
             QmpClient c = QmpClient.connect(d.socket("q.sock"), d.process)) {
            c.exchange("{\"execute\":\"qmp_capabilities\"}");
            JsonNode r = c.exchange("{\"execute\":\"query-qmp-schema\"}").path("return");
            Map<String, JsonNode> byName = new HashMap<>();
            for (JsonNode e : r) byName.put(e.path("name").asText(), e);
            List<String> unresolved = new ArrayList<>();
            assertTrue(kind + " schema", byName.size() > 20);
            return byName;
        }
    }
}
