package io.jsd.qcow2.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.Assume;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.jsd.block.BlockException;
import io.jsd.block.BlockNode;

/** Bad headers give clear errors on open; metadata overlaps are refused and mark the image corrupt. */
public class BadImageTest {
    @Rule public TemporaryFolder tmp = new TemporaryFolder();
    private Path img;

    @BeforeClass
    public static void peers() { Assume.assumeTrue("qemu-img missing", Harness.haveQemu()); }

    @Before
    public void image() throws Exception {
        img = tmp.getRoot().toPath().resolve("img.qcow2");
        Harness.run("qemu-img", "create", "-q", "-f", "qcow2", img.toString(), "16M");
        Harness.run("qemu-io", "-f", "qcow2", "-c", "write -P 0x42 0 64k", img.toString());
    }

    private void poke(long off, long value, int bytes) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            ByteBuffer b = ByteBuffer.allocate(8).putLong(0, value);
            f.seek(off);
            f.write(b.array(), 8 - bytes, bytes);
        }
    }

    private long peek(long off) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "r")) {
            f.seek(off);
            return f.readLong();
        }
    }

    private String openError(boolean readOnly) throws Exception {
        try (Harness h = new Harness()) {
            h.openQcow2(img, readOnly);
            return null;
        } catch (BlockException e) {
            return e.getMessage();
        }
    }

    @Test
    public void absurdHeaders() throws Exception {
        byte[] good = Files.readAllBytes(img);
        Object[][] cases = {
            {36L, 0x7fffffffL, 4, "Active L1 table too large"},
            {36L, 0L, 4, "L1 table is too small"},
            {40L, 1L << 50, 8, "Active L1 table is beyond the end of the image file"},
            {40L, 0x10001L, 8, "Active L1 table offset invalid"},
            {56L, 1000L, 4, "Reference count table too large"},
            {20L, 22L, 4, "Unsupported cluster size: 2^22"},
            {72L, 1L << 40, 8, "Unsupported qcow2 feature(s): Unknown incompatible feature: 10000000000"},
            {4L, 4L, 4, "Unsupported qcow2 version 4"},
            {0L, 0L, 4, "Image is not in qcow2 format"},
            {96L, 7L, 4, "Reference count entry width too large; may not exceed 64 bits"},
        };
        for (Object[] c : cases) {
            Files.write(img, good);
            poke((Long) c[0], (Long) c[1], (Integer) c[2]);
            assertEquals(String.valueOf(c[3]), c[3], openError(true));
        }
    }

    @Test
    public void corruptBitOpensReadOnlyOnly() throws Exception {
        poke(72, 2, 8);
        assertEquals("qcow2: Image is corrupt; cannot be opened read/write", openError(false));
        assertEquals(null, openError(true));
    }

    @Test
    public void writeOntoMetadataIsRefusedAndMarksCorrupt() throws Exception {
        long l1 = peek(40);
        long l2 = peek(l1) & Qcow2Image.OFFSET_MASK;
        long refTable = peek(48);
        // guest cluster 1 claims to live in the refcount table's cluster
        poke(l2 + 8, refTable | Qcow2Image.COPIED, 8);
        try (Harness h = new Harness()) {
            BlockNode n = h.openQcow2(img, false);
            try {
                n.write(65536, ByteBuffer.allocate(4096), 0);
                fail("write onto metadata went through");
            } catch (BlockException e) {
                assertEquals(BlockException.Kind.IO, e.kind());
            }
            assertEquals(1, h.events.size());
            assertTrue(h.events.get(0), h.events.get(0).startsWith("BLOCK_IMAGE_CORRUPTED"));
            assertTrue(h.events.get(0), h.events.get(0).contains("\"fatal\":true"));
            assertTrue(h.events.get(0), h.events.get(0).contains("\"msg\":\"Preventing invalid write on metadata (overlaps with refcount table)\""));
            // as qemu's (bs->drv = NULL): every later request fails with ENOMEDIUM
            try {
                n.write(0, ByteBuffer.allocate(512), 0);
                fail("corrupt image still writable");
            } catch (BlockException e) {
                assertEquals("No medium found", e.getMessage());
            }
        }
        String info = Harness.run("qemu-img", "info", img.toString());
        assertTrue(info, info.contains("corrupt: true"));
    }
}
