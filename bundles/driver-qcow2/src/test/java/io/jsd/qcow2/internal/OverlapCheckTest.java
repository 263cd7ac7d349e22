package io.jsd.qcow2.internal;

import static org.junit.Assert.assertEquals;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.Assume;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.jsd.block.BlockException;
import io.jsd.block.BlockNode;

/**
 * The overlap-check option decides which metadata kinds a write is checked against, as in qemu:
 * for an L2 entry that points into the active L2 table and one that points into the refcount
 * table, each mode (none, constant, cached, all, a template with switches) refuses or lets through
 * the write exactly when qemu-io with the same option does, with the same event message.
 */
public class OverlapCheckTest {
    @Rule public TemporaryFolder tmp = new TemporaryFolder();

    @BeforeClass
    public static void peers() { Assume.assumeTrue("qemu-img missing", Harness.haveQemu()); }

    private static long peek(Path img, long off) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "r")) {
            f.seek(off);
            return f.readLong();
        }
    }

    /** Guest cluster 1's L2 entry points at the cluster of the given metadata ("l2" or "reftable"). */
    private Path image(String target) throws Exception {
        Path img = tmp.getRoot().toPath().resolve("base-" + target + ".qcow2");
        if (Files.exists(img)) return img;
        Harness.run("qemu-img", "create", "-q", "-f", "qcow2", img.toString(), "16M");
        Harness.run("qemu-io", "-f", "qcow2", "-c", "write -P 0x42 0 64k", img.toString());
        long l2 = peek(img, peek(img, 40)) & Qcow2Image.OFFSET_MASK;
        long at = target.equals("l2") ? l2 : peek(img, 48);
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.seek(l2 + 8);
            f.writeLong(at | Qcow2Image.COPIED);
        }
        return img;
    }

    /** Whether qemu-io refuses the write with this overlap-check (given as image options). */
    private boolean qemuRefuses(Path base, String option) throws Exception {
        Path img = tmp.newFile().toPath();
        Files.copy(base, img, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        String opts = "driver=qcow2,file.filename=" + img + (option.isEmpty() ? "" : "," + option);
        Process p = new ProcessBuilder("qemu-io", "--image-opts", opts, "-c", "write -P 0x55 64k 4k")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return out.contains("write failed: Input/output error");
    }

    /** The event message when JSD refuses the write with these options, or null when it lets it through. */
    private String jsdRefuses(Path base, ObjectNode extra) throws Exception {
        Path img = tmp.newFile().toPath();
        Files.copy(base, img, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        try (Harness h = new Harness()) {
            ObjectNode o = Harness.M.createObjectNode();
            o.put("driver", "qcow2");
            o.putObject("file").put("driver", "file").put("filename", img.toString());
            o.setAll(extra);
            BlockNode n = h.open(o, false);
            try {
                n.write(65536, ByteBuffer.allocate(4096), 0);
                return null;
            } catch (BlockException e) {
                assertEquals(1, h.events.size());
                String ev = h.events.get(0);
                return ev.substring(ev.indexOf("\"msg\":\"") + 7, ev.indexOf("\",", ev.indexOf("\"msg\":\"")));
            }
        }
    }

    private void same(String target, String qemuOption, String jsdJson, String expectMsg) throws Exception {
        Path base = image(target);
        boolean q = qemuRefuses(base, qemuOption);
        String j = jsdRefuses(base, (ObjectNode) Harness.M.readTree(jsdJson));
        assertEquals(target + " " + qemuOption + ": qemu refuses " + q + ", JSD " + j, q, j != null);
        if (j != null) assertEquals(expectMsg, j);
    }

    @Test
    public void modesAsQemu() throws Exception {
        String l2 = "Preventing invalid write on metadata (overlaps with active L2 table)";
        String rt = "Preventing invalid write on metadata (overlaps with refcount table)";
        same("l2", "", "{}", l2);
        same("l2", "overlap-check=cached", "{\"overlap-check\":\"cached\"}", l2);
        same("l2", "overlap-check=all", "{\"overlap-check\":\"all\"}", l2);
        same("l2", "overlap-check=constant", "{\"overlap-check\":\"constant\"}", null);
        same("l2", "overlap-check=none", "{\"overlap-check\":\"none\"}", null);
        same("l2", "overlap-check.template=constant,overlap-check.active-l2=on",
                "{\"overlap-check\":{\"template\":\"constant\",\"active-l2\":true}}", l2);
        same("l2", "overlap-check.template=cached,overlap-check.active-l2=off",
                "{\"overlap-check\":{\"template\":\"cached\",\"active-l2\":false}}", null);
        same("reftable", "", "{}", rt);
        same("reftable", "overlap-check=constant", "{\"overlap-check\":\"constant\"}", rt);
        same("reftable", "overlap-check=none", "{\"overlap-check\":\"none\"}", null);
        same("reftable", "overlap-check.refcount-table=off", "{\"overlap-check\":{\"refcount-table\":false}}", null);
    }
}
