package io.jsd.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jsd.testkit.Tool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Image locking end to end, bin/jsd against qemu-storage-daemon, qemu-io and qemu-img: a matrix of
 * who holds an image (JSD or QSD; qcow2 or raw; read-write or read-only; with or without a
 * writable NBD export) and who comes second (JSD, QSD, qemu-io, qemu-img). Every cell must come out
 * as it does with QSD in JSD's place, both as the holder and as the one that comes second; the
 * expected outcome is QSD's, run in the same test.
 */
public class LockingIT {
    @Rule public TemporaryFolder tmp = new TemporaryFolder();
    private Path qcow2, raw;

    /** What a daemon opens: its --blockdev / --export arguments ({img} is replaced by the image). */
    record Setup(String name, String format, List<String> args) {
        /** Whether it is also tried as the daemon that comes second (the others add no new outcome there). */
        boolean asSecond() { return !name.equals("qcow2-rw-nbd") && !name.equals("raw-rw"); }
    }

    static final List<Setup> SETUPS = List.of(
            new Setup("qcow2-rw", "qcow2", List.of("--blockdev", "driver=file,node-name=f,filename={img}",
                    "--blockdev", "driver=qcow2,node-name=t,file=f")),
            new Setup("qcow2-ro", "qcow2", List.of("--blockdev", "driver=file,node-name=f,filename={img},read-only=on",
                    "--blockdev", "driver=qcow2,node-name=t,file=f,read-only=on")),
            new Setup("qcow2-rw-nbd", "qcow2", List.of("--blockdev", "driver=file,node-name=f,filename={img}",
                    "--blockdev", "driver=qcow2,node-name=t,file=f", "--nbd-server", "addr.type=unix,addr.path={dir}/nbd.sock",
                    "--export", "type=nbd,id=e,node-name=t,writable=on")),
            new Setup("raw-rw", "raw", List.of("--blockdev", "driver=file,node-name=f,filename={img}",
                    "--blockdev", "driver=raw,node-name=t,file=f")),
            new Setup("raw-rw-nbd", "raw", List.of("--blockdev", "driver=file,node-name=f,filename={img}",
                    "--blockdev", "driver=raw,node-name=t,file=f", "--nbd-server", "addr.type=unix,addr.path={dir}/nbd.sock",
                    "--export", "type=nbd,id=e,node-name=t,writable=on")),
            new Setup("raw-ro-nbd", "raw", List.of("--blockdev", "driver=file,node-name=f,filename={img},read-only=on",
                    "--blockdev", "driver=raw,node-name=t,file=f,read-only=on",
                    "--nbd-server", "addr.type=unix,addr.path={dir}/nbd.sock", "--export", "type=nbd,id=e,node-name=t")));

    /** Ways around the locks that only make sense for the daemon that comes second. */
    static final List<Setup> ONLY_SECOND = List.of(
            new Setup("qcow2-ro-force-share-inherited", "qcow2", List.of("--blockdev",
                    "driver=qcow2,node-name=t,read-only=on,force-share=on,file.driver=file,file.filename={img}")),
            new Setup("qcow2-rw-locking-off", "qcow2", List.of("--blockdev",
                    "driver=qcow2,node-name=t,file.driver=file,file.filename={img},file.locking=off")));

    /** The qemu tools that come second: {img} and {fmt} are replaced. */
    static final List<List<String>> TOOLS = List.of(
            List.of("qemu-io", "-f", "{fmt}", "-c", "write 0 512", "{img}"),
            List.of("qemu-io", "-r", "-f", "{fmt}", "-c", "read 0 512", "{img}"),
            List.of("qemu-img", "info", "-f", "{fmt}", "{img}"),
            List.of("qemu-img", "resize", "-f", "raw", "{img}", "+1M"));

    @Before
    public void images() throws Exception {
        Daemon.assumeQsd();
        qcow2 = tmp.getRoot().toPath().resolve("q.qcow2");
        raw = tmp.getRoot().toPath().resolve("r.img");
        assertEquals(0, Tool.run(List.of("qemu-img", "create", "-f", "qcow2", qcow2.toString(), "16M")).exit());
        assertEquals(0, Tool.run(List.of("qemu-img", "create", "-f", "raw", raw.toString(), "16M")).exit());
    }

    private Path image(Setup s) { return s.format().equals("qcow2") ? qcow2 : raw; }

    private static List<String> resolve(List<String> args, Path img, String fmt) {
        return args.stream().map(a -> a.replace("{img}", img.toString()).replace("{fmt}", fmt)).toList();
    }

    /** How a daemon that comes second ended: "running" once its pidfile exists, else its exit code and message. */
    record Outcome(String state, String stderr) {
        @Override public String toString() { return state + " " + stderr.strip(); }
    }

    /** Starts a daemon with {@code args} and a pidfile; waits (bounded) until it runs or exits. */
    private Daemon startUntilSettled(Daemon.Kind kind, List<String> args) throws Exception {
        Path dir = tmp.newFolder().toPath();
        List<String> all = new ArrayList<>(args);
        all.add("--pidfile");
        all.add("{dir}/pid");
        Daemon d = Daemon.start(kind, dir, all);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (d.process.isAlive() && !Files.exists(dir.resolve("pid"))) {
            if (System.nanoTime() > deadline) {
                d.close();
                throw new AssertionError(kind + " neither started nor exited: " + args);
            }
            d.process.waitFor(20, TimeUnit.MILLISECONDS);
        }
        return d;
    }

    private Outcome second(Daemon.Kind kind, List<String> args) throws Exception {
        try (Daemon d = startUntilSettled(kind, args)) {
            String state = d.process.isAlive() ? "running" : "exit " + d.process.exitValue();
            String err = d.stderr().replace("qemu-storage-daemon:", "jsd:");
            return new Outcome(state, d.process.isAlive() ? "" : err);
        }
    }

    /** A tool's outcome: its exit code, and its message when it failed (a success prints sizes and timings that vary). */
    private static String toolOutcome(Tool.Result r) {
        return r.exit() == 0 ? "exit 0" : "exit " + r.exit() + " " + r.output().strip().replace("\n", " | ");
    }

    /**
     * For every holder setup, held by QSD and then by JSD: every second daemon setup started as QSD
     * and as JSD, and every qemu tool, must end as it ends against QSD holding the same setup.
     */
    @Test
    public void everyCellAsWithQsd() throws Exception {
        List<String> mismatches = new ArrayList<>();
        int cells = 0;
        for (Setup first : SETUPS) {
            Path img = image(first);
            Map<String, String> expected = new java.util.LinkedHashMap<>();
            for (Daemon.Kind holderKind : new Daemon.Kind[] {Daemon.Kind.QSD, Daemon.Kind.JSD}) {
                try (Daemon holder = startUntilSettled(holderKind, resolve(first.args(), img, first.format()))) {
                    assertTrue(holderKind + " " + first.name() + " did not start: " + holder.stderr(), holder.process.isAlive());
                    List<Setup> seconds = new ArrayList<>(SETUPS.stream().filter(Setup::asSecond).toList());
                    seconds.addAll(ONLY_SECOND);
                    for (Setup second : seconds) {
                        if (!second.format().equals(first.format())) continue;
                        List<String> args = resolve(second.args(), img, second.format());
                        for (Daemon.Kind k : Daemon.Kind.values()) {
                            String key = "second " + k + " " + second.name();
                            String got = second(k, args).toString();
                            check(expected, mismatches, holderKind, first, key, got);
                            cells++;
                        }
                    }
                    for (List<String> t : TOOLS) {
                        String key = String.join(" ", t);
                        check(expected, mismatches, holderKind, first, key, toolOutcome(Tool.run(resolve(t, img, first.format()))));
                        cells++;
                    }
                }
            }
        }
        assertEquals(cells + " cells; mismatches:\n" + String.join("\n", mismatches), 0, mismatches.size());
    }

    /** The QSD run of a cell records what is expected; the JSD run and the second JSD must match it. */
    private static void check(Map<String, String> expected, List<String> mismatches, Daemon.Kind holder, Setup first,
                              String key, String got) {
        String cell = first.name() + " held, " + key;
        // the second JSD must do what the second QSD does against the same holder
        if (key.startsWith("second JSD")) {
            String qsd = expected.get(holder + " " + key.replace("second JSD", "second QSD"));
            if (qsd != null && !qsd.equals(got)) mismatches.add(holder + " holds " + cell + ": JSD " + got + " | QSD " + qsd);
        }
        String k = holder + " " + key;
        expected.put(k, got);
        System.err.println("LockingIT cell: " + holder + " holds " + cell + " -> " + got);
        if (holder == Daemon.Kind.JSD) {
            String asQsd = expected.get(Daemon.Kind.QSD + " " + key);
            if (asQsd != null && !asQsd.equals(got)) mismatches.add(cell + ": against JSD " + got + " | against QSD " + asQsd);
        }
    }

    /**
     * The case: a second bin/jsd on a qcow2 image a first one holds writable exits non-zero
     * with qemu's lock message and writes nothing; what the first wrote through its export is
     * intact and qemu-img check is clean afterwards.
     */
    @Test
    public void secondJsdOnAnImageJsdWritesIsRefusedAndChangesNothing() throws Exception {
        Setup s = SETUPS.get(2); // qcow2-rw-nbd
        try (Daemon first = startUntilSettled(Daemon.Kind.JSD, resolve(s.args(), qcow2, "qcow2"))) {
            assertTrue(first.stderr(), first.process.isAlive());
            String nbd = "nbd+unix:///t?socket=" + first.dir.resolve("nbd.sock"); // the export is named after its node
            Tool.Result w = Tool.run(List.of("qemu-io", "-f", "raw", "-c", "write -P 0x5a 0 1M", "-c", "flush", nbd));
            assertEquals(w.output(), 0, w.exit());
            byte[] before = Files.readAllBytes(qcow2);
            Outcome o = second(Daemon.Kind.JSD, resolve(SETUPS.get(0).args(), qcow2, "qcow2"));
            assertNotEquals("exit 0", o.state());
            assertFalse(o.state(), o.state().equals("running"));
            assertEquals("jsd: --blockdev driver=qcow2,node-name=t,file=f: Failed to get \"write\" lock\n"
                    + "Is another process using the image [" + qcow2 + "]?", o.stderr().strip());
            assertTrue("the refused daemon wrote to the image", java.util.Arrays.equals(before, Files.readAllBytes(qcow2)));
            Tool.Result r = Tool.run(List.of("qemu-io", "-f", "raw", "-c", "read -P 0x5a 0 1M", nbd));
            assertEquals(r.output(), 0, r.exit());
            assertFalse(r.output(), r.output().contains("Pattern verification failed"));
        }
        Tool.Result check = Tool.run(List.of("qemu-img", "check", qcow2.toString()));
        assertEquals(check.output(), 0, check.exit());
        Tool.Result r = Tool.run(List.of("qemu-io", "-f", "qcow2", "-c", "read -P 0x5a 0 1M", qcow2.toString()));
        assertFalse(r.output(), r.output().contains("Pattern verification failed"));
        assertEquals(r.output(), 0, r.exit());
    }

    /** QMP commands of a running daemon, replies compared with QSD's (the "return" / "error" only). */
    private static List<String> session(Daemon.Kind kind, Path dir, List<String> args, List<String> commands) throws Exception {
        List<String> all = new ArrayList<>(List.of("--chardev", "socket,id=m,path={dir}/qmp.sock,server=on,wait=off",
                "--monitor", "chardev=m"));
        all.addAll(args);
        List<String> replies = new ArrayList<>();
        try (Daemon d = Daemon.start(kind, dir, all); QmpClient c = QmpClient.connect(dir.resolve("qmp.sock"), d.process)) {
            c.exchange("{\"execute\":\"qmp_capabilities\"}");
            for (String cmd : commands) {
                JsonNode reply = c.exchange(cmd.replace("{dir}", dir.toString()));
                if (reply.has("error")) replies.add("error " + reply.get("error").get("desc").asText());
                else if (cmd.contains("query-named-block-nodes")) {
                    List<String> names = new ArrayList<>();
                    for (JsonNode n : reply.get("return")) names.add(n.get("node-name").asText());
                    names.sort(null); // the listing order is not what this test is about
                    replies.add("nodes " + names);
                } else replies.add("ok");
            }
        }
        return replies;
    }

    @Test
    public void blockdevAddOverQmpOnALockedImageFailsAndLeavesNoNode() throws Exception {
        String add = "{\"execute\":\"blockdev-add\",\"arguments\":{\"driver\":\"qcow2\",\"node-name\":\"q\","
                + "\"file\":{\"driver\":\"file\",\"filename\":\"" + qcow2 + "\"}%s}}";
        List<String> commands = List.of(String.format(add, ""), String.format(add, ",\"read-only\":true"),
                "{\"execute\":\"query-named-block-nodes\"}",
                // the same with the file node added on its own first: it stays, the qcow2 node does not
                "{\"execute\":\"blockdev-add\",\"arguments\":{\"driver\":\"file\",\"node-name\":\"f\",\"filename\":\"" + qcow2 + "\"}}",
                "{\"execute\":\"blockdev-add\",\"arguments\":{\"driver\":\"qcow2\",\"node-name\":\"q\",\"file\":\"f\"}}",
                "{\"execute\":\"query-named-block-nodes\"}");
        for (Daemon.Kind holderKind : Daemon.Kind.values()) {
            try (Daemon holder = startUntilSettled(holderKind, resolve(SETUPS.get(0).args(), qcow2, "qcow2"))) {
                assertTrue(holder.process.isAlive());
                List<String> q = session(Daemon.Kind.QSD, tmp.newFolder().toPath(), List.of(), commands);
                List<String> j = session(Daemon.Kind.JSD, tmp.newFolder().toPath(), List.of(), commands);
                assertEquals("held by " + holderKind, q, j);
                assertEquals("error Failed to get \"write\" lock", j.get(0));
                assertEquals("nodes []", j.get(2));
            }
        }
    }

    /** Conflicts between users inside one daemon: qemu's "Permission conflict on node ..." texts, in QSD's order. */
    @Test
    public void permissionConflictsInsideADaemonAsQsd() throws Exception {
        String img = qcow2.toString();
        List<String> commands = List.of(
                "{\"execute\":\"blockdev-add\",\"arguments\":{\"driver\":\"file\",\"node-name\":\"f\",\"filename\":\"" + img + "\"}}",
                "{\"execute\":\"blockdev-add\",\"arguments\":{\"driver\":\"qcow2\",\"node-name\":\"q\",\"file\":\"f\"}}",
                "{\"execute\":\"blockdev-add\",\"arguments\":{\"driver\":\"raw\",\"node-name\":\"r\",\"file\":\"f\"}}",
                "{\"execute\":\"nbd-server-start\",\"arguments\":{\"addr\":{\"type\":\"unix\",\"data\":{\"path\":\"{dir}/nbd.sock\"}}}}",
                "{\"execute\":\"block-export-add\",\"arguments\":{\"type\":\"nbd\",\"id\":\"e\",\"node-name\":\"r\",\"writable\":true}}",
                "{\"execute\":\"block-export-add\",\"arguments\":{\"type\":\"nbd\",\"id\":\"e2\",\"node-name\":\"r\"}}",
                "{\"execute\":\"block-export-add\",\"arguments\":{\"type\":\"nbd\",\"id\":\"e3\",\"node-name\":\"f\",\"writable\":true}}",
                "{\"execute\":\"block_resize\",\"arguments\":{\"node-name\":\"r\",\"size\":1073741824}}",
                "{\"execute\":\"blockdev-add\",\"arguments\":{\"driver\":\"raw\",\"node-name\":\"r2\",\"file\":\"f\",\"offset\":512}}",
                "{\"execute\":\"blockdev-add\",\"arguments\":{\"driver\":\"qcow2\",\"node-name\":\"q2\",\"file\":\"f\",\"read-only\":true}}",
                "{\"execute\":\"blockdev-del\",\"arguments\":{\"node-name\":\"q\"}}",
                "{\"execute\":\"block-export-add\",\"arguments\":{\"type\":\"nbd\",\"id\":\"e\",\"node-name\":\"r\",\"writable\":true}}",
                "{\"execute\":\"blockdev-add\",\"arguments\":{\"driver\":\"qcow2\",\"node-name\":\"q\",\"file\":\"f\"}}",
                "{\"execute\":\"blockdev-add\",\"arguments\":{\"driver\":\"file\",\"node-name\":\"g\",\"filename\":\"" + raw + "\",\"read-only\":true}}",
                "{\"execute\":\"blockdev-add\",\"arguments\":{\"driver\":\"qcow2\",\"node-name\":\"q3\",\"file\":\"g\"}}",
                "{\"execute\":\"blockdev-add\",\"arguments\":{\"driver\":\"file\",\"node-name\":\"h\",\"filename\":\"" + raw + "\",\"active\":false}}",
                "{\"execute\":\"blockdev-add\",\"arguments\":{\"driver\":\"raw\",\"node-name\":\"r4\",\"file\":\"h\"}}",
                "{\"execute\":\"query-named-block-nodes\"}");
        List<String> q = session(Daemon.Kind.QSD, tmp.newFolder().toPath(), List.of(), commands);
        List<String> j = session(Daemon.Kind.JSD, tmp.newFolder().toPath(), List.of(), commands);
        assertEquals(String.join("\n", q), String.join("\n", j));
    }
}
