package io.jsd.qcow2.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.Ignore;
import org.junit.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.jsd.block.BlockException;
import io.jsd.block.BlockNode;
import io.jsd.options.OptionException;
import io.jsd.testkit.fuzz.FuzzTarget;

/**
 * Fuzzes the qcow2 driver with whole images: header and its extensions, L1 / L2 tables, refcount
 * table and blocks, snapshot table, bitmap directory, compressed clusters. Each input is an image
 * file (the seeds are small images qemu-img made, 512-byte to 4 KiB clusters); the harness opens it
 * read-only and reads it, then opens it read-write and writes, discards, zeroes, flushes and
 * closes it. The image's own backing file and external data file names are never followed
 * (backing=null; an image that needs a data file gets a private empty one), so a fuzzed name
 * cannot reach files outside the harness.
 *
 * <p>Invariant: every failure is a BlockException or an OptionException; every input finishes in
 * bounded time with bounded memory (no OutOfMemoryError or StackOverflowError under the fuzzer's
 * small heap).
 */
public class Qcow2ImageFuzzTest extends FuzzTarget {
    public static final int MAX_LEN = 64 * 1024;
    /** Bytes read or written per input at most: bounds time for images that claim huge sizes. */
    private static final long SPAN = 256 * 1024;

    /**
     * Known defect in backing-file name handling, owned by another change (issue 8 item 2, helper
     * "backing"): a backing file name with a NUL byte throws InvalidPathException out of
     * Qcow2Driver.resolveBacking instead of an open error. Until that is merged the harness lets
     * exactly that exception pass, so the bounded run stays green; set to true with the fix and
     * enable {@link #backingNameWithNul()}.
     */
    static final boolean BACKING_NAME_NUL_FIXED = true;

    private static Path dir;

    private static synchronized Path dir() throws IOException {
        if (dir == null) {
            Path shm = Path.of("/dev/shm");
            dir = Files.isDirectory(shm) && Files.isWritable(shm) ? Files.createTempDirectory(shm, "jsd-qcow2-fuzz")
                    : Files.createTempDirectory("jsd-qcow2-fuzz");
            Path d = dir;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try (var s = Files.list(d)) {
                    for (Path p : s.toList()) Files.deleteIfExists(p);
                    Files.deleteIfExists(d);
                } catch (IOException ignored) {
                    // the JVM is ending
                }
            }));
        }
        return dir;
    }

    public static void fuzzerTestOneInput(byte[] data) throws Exception {
        run(data, !BACKING_NAME_NUL_FIXED);
    }

    /** One input; {@code tolerateKnown}: let the known backing-name defect pass (the bounded run until it is fixed). */
    static void run(byte[] data, boolean tolerateKnown) throws Exception {
        Path img = dir().resolve("img.qcow2");
        Path dataFile = dir().resolve("img.data");
        Files.write(img, data);
        Files.write(dataFile, new byte[0]);
        exercise(img, dataFile, true, data, tolerateKnown);
        exercise(img, dataFile, false, data, tolerateKnown);
    }

    private static void exercise(Path img, Path dataFile, boolean readOnly, byte[] data, boolean tolerateKnown) throws Exception {
        Harness h = new Harness();
        try {
            BlockNode n;
            try {
                n = h.open(options(img, dataFile, data), readOnly);
            } catch (BlockException | OptionException e) {
                return;
            } catch (java.nio.file.InvalidPathException e) {
                if (!tolerateKnown) throw e;
                return;
            }
            long size = n.size();
            if (size < 0) throw new AssertionError("negative virtual size " + size);
            n.describe(Harness.M.createObjectNode()); // query-named-block-nodes: bitmap directory, snapshot and header fields
            long seed = Arrays.hashCode(data) & 0xffffffffL;
            ByteBuffer b = ByteBuffer.allocate(64 * 1024);
            for (long off = 0; off < Math.min(size, SPAN); off += b.capacity()) {
                long at = off;
                b.clear().limit((int) Math.min(b.capacity(), size - off));
                quietly(() -> n.read(at, b));
            }
            if (size > 0) {
                long last = Math.max(0, size - 4096);
                quietly(() -> n.read(last, ByteBuffer.allocate((int) Math.min(4096, size))));
                quietly(() -> n.blockStatus(0, size));
                quietly(() -> n.blockStatus(seed % size, size - seed % size));
            }
            if (!readOnly && size > 0) {
                long at = seed % Math.min(size, SPAN);
                int len = (int) Math.min(size - at, 5000 + seed % 70000);
                ByteBuffer w = ByteBuffer.allocate(len);
                for (int i = 0; i < len; i++) w.put(i, (byte) (i * 31 + 7));
                if (quietly(() -> n.write(at, w, 0))) {
                    // what was acknowledged reads back (a write must not land on metadata or other data)
                    ByteBuffer back = ByteBuffer.allocate(len);
                    if (quietly(() -> n.read(at, back)) && !back.clear().equals(w.clear())) {
                        throw new AssertionError("an acknowledged write of " + len + " bytes at " + at + " reads back different data");
                    }
                }
                quietly(() -> n.writeZeroes(at / 2, Math.min(size - at / 2, 65536), 0));
                quietly(() -> n.discard(at / 3, Math.min(size - at / 3, 8192)));
                quietly(() -> n.read(at, ByteBuffer.allocate(len)));
                quietly(n::flush);
            }
        } finally {
            closeAll(h);
        }
    }

    /** Found by this fuzzer: a backing file name with a NUL byte (see BACKING_NAME_NUL_FIXED). */
    @Test
    public void backingNameWithNul() throws Exception {
        run(Files.readAllBytes(Path.of("src/test/resources/fuzz-open/Qcow2ImageFuzzTest/backing-name-with-nul")), false);
    }

    /** Closes every node the harness opened, top first, even when closing (flushing) a broken image fails. */
    private static void closeAll(Harness h) {
        for (int i = h.opened.size() - 1; i >= 0; i--) {
            try {
                h.opened.get(i).close();
            } catch (BlockException e) {
                // a broken image may fail its final flush: declared, and the file below is still closed
            }
        }
        h.opened.clear();
    }

    private static ObjectNode options(Path img, Path dataFile, byte[] data) {
        ObjectNode o = Harness.M.createObjectNode();
        o.put("driver", "qcow2");
        o.putObject("file").put("driver", "file").put("filename", img.toString());
        o.putNull("backing");
        // incompatible feature bit 2 (external data file) in a version 3 header: a private file, never the one named
        if (data.length >= 80 && data[7] >= 3 && (data[79] & 4) != 0) {
            o.putObject("data-file").put("driver", "file").put("filename", dataFile.toString());
        }
        return o;
    }

    interface Op {
        void run() throws BlockException;
    }

    /** Runs {@code op}; false if it failed in a declared way (EIO, a corrupt image, a refused write). */
    private static boolean quietly(Op op) {
        try {
            op.run();
            return true;
        } catch (BlockException e) {
            return false;
        }
    }
}
