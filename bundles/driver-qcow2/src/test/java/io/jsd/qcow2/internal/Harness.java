package io.jsd.qcow2.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.jsd.block.BlockException;
import io.jsd.block.BlockNode;
import io.jsd.block.ChildRole;
import io.jsd.block.OpenContext;
import io.jsd.objects.ObjectRegistry;
import io.jsd.options.Options;
import io.jsd.qmp.QmpEvents;
import io.jsd.testkit.FileNode;

/**
 * A minimal stand-in for core's graph: opens "file" children as {@link FileNode}s and qcow2 children
 * with {@link Qcow2Driver}, so the driver can be tested against images made by the real qemu-img.
 */
final class Harness implements AutoCloseable {
    static final ObjectMapper M = new ObjectMapper();
    final List<BlockNode> opened = new ArrayList<>();
    final List<String> events = new ArrayList<>();
    /** Wraps each "file" node the harness opens (a test's filter, e.g. a volatile disk cache), or null. */
    FileFilter fileFilter;

    interface FileFilter {
        BlockNode wrap(Path file, BlockNode node) throws Exception;
    }

    static boolean haveQemu() {
        try {
            return new ProcessBuilder("qemu-img", "--version").redirectErrorStream(true).start().waitFor(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            return false;
        }
    }

    /** Runs a command, returns its output; fails on a non-zero exit. */
    static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out;
        try {
            out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(120, TimeUnit.SECONDS)) throw new IOException("timeout: " + String.join(" ", cmd));
        } finally {
            p.destroyForcibly();
        }
        if (p.exitValue() != 0) throw new IOException(String.join(" ", cmd) + " failed (" + p.exitValue() + "): " + out);
        return out;
    }

    static int runRc(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            p.getInputStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS)) throw new IOException("timeout");
            return p.exitValue();
        } finally {
            p.destroyForcibly();
        }
    }

    BlockNode openQcow2(Path image, boolean readOnly) throws Exception {
        ObjectNode o = M.createObjectNode();
        o.put("driver", "qcow2");
        o.putObject("file").put("driver", "file").put("filename", image.toString());
        o.putObject("encrypt").put("format", "luks").put("key-secret", "s0");
        String extra = System.getProperty("jsd.qcow2.opts"); // e.g. {"refcount-cache-size":1048576}
        if (extra != null) o.setAll((ObjectNode) M.readTree(extra));
        return open(o, readOnly);
    }

    BlockNode open(ObjectNode options, boolean readOnly) throws Exception {
        String driver = options.path("driver").asText();
        BlockNode n;
        if (driver.equals("file")) {
            Path file = Path.of(options.get("filename").asText());
            n = new FileNode(file, readOnly);
            if (fileFilter != null) n = fileFilter.wrap(file, n);
        } else if (driver.equals("qcow2")) {
            ObjectNode rest = options.deepCopy();
            rest.remove("driver");
            rest.remove("node-name");
            Options opts = Options.of(rest);
            n = new Qcow2Driver().open(new Ctx(opts, readOnly));
            opts.checkAllUsed();
        } else if (driver.equals("raw")) {
            n = open((ObjectNode) options.get("file"), readOnly);
        } else {
            throw new IllegalArgumentException(driver);
        }
        opened.add(n);
        return n;
    }

    private final class Ctx implements OpenContext {
        private final Options opts;
        private final boolean readOnly;

        Ctx(Options opts, boolean readOnly) {
            this.opts = opts;
            this.readOnly = readOnly;
        }

        @Override public Options options() { return opts; }
        @Override public String nodeName() { return "test-node"; }
        @Override public boolean readOnly() { return readOnly; }
        @Override public boolean autoReadOnly() { return false; }
        @Override public boolean cacheDirect() { return false; }
        @Override public boolean noFlush() { return false; }
        @Override public boolean discardUnmap() { return true; }
        @Override public boolean locking() { return false; }

        @Override
        public BlockNode openChild(String key, ChildRole role, boolean required) throws BlockException {
            opts.markUsed(key);
            JsonNode v = opts.json().get(key);
            if (v == null || v.isNull()) {
                if (required) throw BlockException.invalid("Parameter '" + key + "' is missing");
                return null;
            }
            return openChild(key, role, (ObjectNode) v);
        }

        @Override
        public BlockNode openChild(String key, ChildRole role, ObjectNode options) throws BlockException {
            try {
                return open(options, readOnly || role == ChildRole.COW);
            } catch (BlockException e) {
                throw e;
            } catch (Exception e) {
                throw BlockException.io(e.getMessage(), e);
            }
        }

        @Override public ObjectRegistry objects() { return secrets(); }

        @Override
        public QmpEvents events() {
            return (name, data) -> events.add(name + " " + data);
        }
    }

    /** Every secret is "pw" (the test images' key). */
    static ObjectRegistry secrets() {
        return new ObjectRegistry() {
            @Override public java.util.Optional<io.jsd.objects.UserObject> find(String id) { return java.util.Optional.empty(); }
            @Override public io.jsd.objects.UserObject require(String id, String type) { throw new IllegalArgumentException(id); }
            @Override public byte[] secret(String id) { return "pw".getBytes(java.nio.charset.StandardCharsets.UTF_8); }
            @Override public List<io.jsd.objects.UserObject> all() { return List.of(); }
        };
    }

    @Override
    public void close() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) opened.get(i).close();
        opened.clear();
    }
}
