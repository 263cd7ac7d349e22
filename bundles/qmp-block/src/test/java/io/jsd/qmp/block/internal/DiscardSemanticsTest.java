package io.jsd.qmp.block.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertTrue;

import io.jsd.block.BlockNode;
import io.jsd.driver.file.internal.FileDriver;
import io.jsd.driver.raw.internal.RawDriver;
import io.jsd.testkit.GraphHarness;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * What a guest sees through raw over file, as in QSD: without discard=unmap on the format node a
 * discard leaves the data; with it the range reads as zeroes; detect-zeroes=unmap turns a written
 * block of zeroes into a hole.
 */
public class DiscardSemanticsTest {
    @Rule public TemporaryFolder tmp = new TemporaryFolder();
    private final GraphHarness h = new GraphHarness().driver("file", new FileDriver()).driver("raw", new RawDriver());

    @After
    public void clear() { h.clear(); }

    private BlockNode raw(String name, String extra) throws Exception {
        Path img = tmp.newFile(name + ".img").toPath();
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.setLength(1 << 20);
        }
        return h.add("{'driver':'raw','node-name':'" + name + "'" + extra + ",'file':{'driver':'file','filename':'" + img + "'}}").io();
    }

    private static byte[] fill(int n, int v) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) v);
        return b;
    }

    private static byte[] read(BlockNode n, long off, int len) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(len);
        n.read(off, b);
        return b.array();
    }

    @Test
    public void discardKeepsDataUnlessTheFormatNodeUnmaps() throws Exception {
        BlockNode keep = raw("keep", "");
        keep.write(0, ByteBuffer.wrap(fill(65536, 7)), 0);
        keep.discard(0, 65536);
        assertArrayEquals(fill(65536, 7), read(keep, 0, 65536));

        BlockNode unmap = raw("unmap", ",'discard':'unmap'");
        unmap.write(0, ByteBuffer.wrap(fill(65536, 7)), 0);
        unmap.discard(0, 65536);
        assertArrayEquals(new byte[65536], read(unmap, 0, 65536));
        assertTrue(unmap.blockStatus(0, 65536).isZero());
    }

    @Test
    public void detectZeroesUnmapMakesHoles() throws Exception {
        BlockNode n = raw("dz", ",'discard':'unmap','detect-zeroes':'unmap'");
        n.write(0, ByteBuffer.wrap(fill(65536, 1)), 0);
        assertTrue(n.blockStatus(0, 65536).isData());
        n.write(0, ByteBuffer.allocate(65536), 0);
        assertTrue("zeroes written became a hole", n.blockStatus(0, 65536).isZero() && !n.blockStatus(0, 65536).isData());
        assertArrayEquals(new byte[65536], read(n, 0, 65536));
    }
}
