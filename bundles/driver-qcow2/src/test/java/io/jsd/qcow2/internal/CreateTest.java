package io.jsd.qcow2.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.Assume;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.jsd.block.BlockDriver;
import io.jsd.block.BlockException;
import io.jsd.block.BlockGraph;
import io.jsd.block.BlockNode;
import io.jsd.block.Capabilities;
import io.jsd.block.CreateContext;
import io.jsd.block.NodeChild;
import io.jsd.block.NodeHandle;
import io.jsd.objects.ObjectRegistry;
import io.jsd.testkit.FileNode;

/** blockdev-create qcow2 images pass "qemu-img check" and "qemu-img info" shows the options; then resize. */
public class CreateTest {
    @Rule public TemporaryFolder tmp = new TemporaryFolder();

    @BeforeClass
    public static void peers() { Assume.assumeTrue("qemu-img missing", Harness.haveQemu()); }

    private final Map<String, FileNode> nodes = new HashMap<>();

    private Path newFile(String node) throws Exception {
        Path p = tmp.getRoot().toPath().resolve(node + ".img");
        Files.createFile(p);
        nodes.put(node, new FileNode(p, false));
        return p;
    }

    private void create(String json) throws Exception {
        ObjectNode o = (ObjectNode) Harness.M.readTree(json);
        new Qcow2Driver().create(o, new CreateContext() {
            @Override public BlockGraph graph() { return new Graph(); }
            @Override public ObjectRegistry objects() { return Harness.secrets(); }
            @Override public void progress(long c, long t) {}
        });
    }

    private JsonNode info(Path p) throws Exception {
        return Harness.M.readTree(Harness.run("qemu-img", "info", "--output=json", p.toString()));
    }

    private static void check(String name, Path p) throws Exception {
        String out = Harness.run(Images.cmd(new String[] {"qemu-img", "check"}, Images.qemuImage(name, p)));
        assertTrue(out, out.contains("No errors were found") && !out.contains("leaked"));
    }

    @Test
    public void createsWhatQemuReads() throws Exception {
        String[][] cases = {
            {"{\"file\":\"f\",\"size\":10485760}", "\"compat\":\"1.1\""},
            {"{\"file\":\"f\",\"size\":10485760,\"version\":\"v2\"}", "\"compat\":\"0.10\""},
            {"{\"file\":\"f\",\"size\":10485760,\"cluster-size\":512,\"refcount-bits\":1}", "\"refcount-bits\":1"},
            {"{\"file\":\"f\",\"size\":104857600,\"cluster-size\":2097152,\"refcount-bits\":64}", "\"refcount-bits\":64"},
            {"{\"file\":\"f\",\"size\":10485760,\"extended-l2\":true,\"cluster-size\":131072}", "\"extended-l2\":true"},
            {"{\"file\":\"f\",\"size\":10485760,\"compression-type\":\"zstd\",\"lazy-refcounts\":true}", "\"compression-type\":\"zstd\""},
            {"{\"file\":\"f\",\"size\":10485760,\"preallocation\":\"metadata\"}", "\"compat\":\"1.1\""},
            {"{\"file\":\"f\",\"size\":10485760,\"preallocation\":\"full\",\"cluster-size\":4096}", "\"compat\":\"1.1\""},
            {"{\"file\":\"f\",\"size\":10485760,\"data-file\":\"d\",\"data-file-raw\":true}", "\"data-file-raw\":true"},
            {"{\"file\":\"f\",\"size\":10485760,\"encrypt\":{\"format\":\"luks\",\"key-secret\":\"s0\",\"iter-time\":10}}", "\"cipher-alg\":\"aes-256\""},
            {"{\"file\":\"f\",\"size\":10485760,\"cluster-size\":512,\"preallocation\":\"metadata\",\"encrypt\":{\"format\":\"luks\",\"key-secret\":\"s0\",\"iter-time\":10,\"cipher-mode\":\"cbc\",\"ivgen-alg\":\"essiv\",\"cipher-alg\":\"aes-128\"}}", "\"cipher-mode\":\"cbc\""},
            {"{\"file\":\"f\",\"size\":10485760,\"backing-file\":\"base.qcow2\",\"backing-fmt\":\"qcow2\"}", "\"backing-filename\":\"base.qcow2\""},
        };
        int i = 0;
        for (String[] c : cases) {
            nodes.clear();
            tmp.delete();
            tmp.create();
            Path f = newFile("f");
            newFile("d");
            Harness.run("qemu-img", "create", "-q", "-f", "qcow2", tmp.getRoot() + "/base.qcow2", "10M");
            create(c[0]);
            for (FileNode n : nodes.values()) n.close();
            String name = c[0].contains("encrypt") ? "luks" : "plain";
            String inf = Harness.M.readTree(Harness.run(Images.cmd(new String[] {"qemu-img", "info", "--output=json"}, Images.qemuImage(name, f)))).toString();
            assertTrue("case " + i + ": " + inf, inf.contains(c[1]));
            assertTrue(inf, inf.contains("\"virtual-size\":" + Harness.M.readTree(c[0]).get("size").asLong()));
            check(name, f);
            // qemu can write it and JSD can resize it
            Harness.run(Images.cmd(new String[] {"qemu-io"}, name.equals("luks") ? Images.qemuImage(name, f) : List.of("-f", "qcow2", f.toString()),
                    "-c", "write -P 0x66 1000k 2m"));
            try (Harness h = new Harness()) {
                BlockNode n = h.openQcow2(f, false);
                n.truncate(n.size() * 3);
                n.write(n.size() - 70144, ByteBuffer.wrap(new byte[70144]).put(0, (byte) 1), 0);
                byte[] b = new byte[2 << 20];
                n.read(1000 << 10, ByteBuffer.wrap(b));
                for (byte x : b) assertEquals(0x66, x);
                n.read(0, ByteBuffer.wrap(b, 0, 512 * 1000));
                for (int k = 0; k < 512 * 1000; k++) assertEquals(0, b[k]);
            }
            check(name, f);
            i++;
        }
    }

    private final class Graph implements BlockGraph {
        @Override public NodeHandle add(ObjectNode options) { throw new UnsupportedOperationException(); }
        @Override public void delete(String nodeName) {}
        @Override public Optional<NodeHandle> find(String n) { return Optional.ofNullable(nodes.get(n)).map(Handle::new); }
        @Override public NodeHandle require(String n) throws BlockException {
            return find(n).orElseThrow(() -> BlockException.invalid("Cannot find device= nor node-name=" + n));
        }
        @Override public List<NodeHandle> nodes() { return List.of(); }
        @Override public Optional<BlockDriver> driver(String name) { return Optional.empty(); }
    }

    private record Handle(FileNode n) implements NodeHandle {
        @Override public String nodeName() { return "n"; }
        @Override public String driver() { return "file"; }
        @Override public ObjectNode options() { return Harness.M.createObjectNode().put("driver", "file").put("filename", n.path().toString()); }
        @Override public boolean readOnly() { return false; }
        @Override public BlockNode io() { return n; }
        @Override public Capabilities capabilities() { return n.capabilities(); }
        @Override public List<NodeChild> children() { return List.of(); }
        @Override public boolean available() { return true; }
        @Override public AutoCloseable use(String who) { return () -> {}; }
        @Override public ObjectNode describe() { return Harness.M.createObjectNode(); }
    }
}
