package io.jsd.driver.file.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import io.jsd.block.BlockException;
import io.jsd.block.BlockNode;
import io.jsd.block.BlockStatus;
import io.jsd.block.IoFlags;
import io.jsd.block.NodeHandle;
import io.jsd.testkit.BlockNodeContract;
import io.jsd.testkit.GraphHarness;
import io.jsd.testkit.Json;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The file driver through core, buffered. */
public class FileContractTest extends BlockNodeContract {
    @Rule public TemporaryFolder tmp = new TemporaryFolder();
    protected final GraphHarness h = new GraphHarness().driver("file", new FileDriver()).driver("host_device", new HostDeviceDriver());
    protected Path image;

    protected String extra() { return ""; }

    @Override
    protected BlockNode open(long size) throws Exception {
        tmp.create();
        image = tmp.newFile("disk.img").toPath();
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(size);
        }
        return h.add("{'driver':'file','node-name':'f0','discard':'unmap','filename':'" + image + "'" + extra() + "}").io();
    }

    @Override protected void close() { h.clear(); }

    @Test
    public void sparseFileReportsHolesAndDiscardPunchesThem() throws Exception {
        BlockStatus s = node.blockStatus(0, SIZE);
        assertTrue(s.isZero());
        assertFalse(s.isData());
        write(65536, pattern(65536, 1), 0);
        assertTrue(node.blockStatus(0, SIZE).isZero());
        assertEquals(65536, node.blockStatus(0, SIZE).length());
        BlockStatus d = node.blockStatus(65536, SIZE - 65536);
        assertTrue(d.isData());
        assertEquals(65536, d.length());
        node.discard(65536, 65536);
        assertTrue(node.blockStatus(65536, 65536).isZero());
        assertArrayEquals(new byte[65536], read(65536, 65536));
        long blocks = Posix.fstat(Posix.open(image.toString(), Posix.O_RDONLY, 0))[1];
        assertTrue("punched hole frees space, st_blocks=" + blocks, blocks < 128);
    }

    @Test
    public void writeZeroesWithMayUnmapDeallocates() throws Exception {
        write(0, pattern(131072, 2), 0);
        node.writeZeroes(0, 131072, IoFlags.MAY_UNMAP);
        assertArrayEquals(new byte[131072], read(0, 131072));
        assertTrue(node.blockStatus(0, 131072).isZero());
    }

    @Test
    public void truncateGrowsAndShrinks() throws Exception {
        node.truncate(SIZE * 2L);
        assertEquals(SIZE * 2L, node.size());
        assertEquals(SIZE * 2L, Files.size(image));
        node.truncate(SIZE);
        assertEquals(SIZE, Files.size(image));
    }

    @Test
    public void describeIsQemuShaped() throws Exception {
        NodeHandle n = h.graph.require("f0");
        var d = n.describe();
        assertEquals(image.toString(), d.get("file").asText());
        assertEquals("file", d.get("drv").asText());
        assertEquals(SIZE, d.path("image").path("virtual-size").asLong());
        assertEquals("file", d.path("image").path("format-specific").path("type").asText());
        assertTrue(d.path("image").has("actual-size"));
    }

    @Test
    public void missingFileIsQemusMessage() throws Exception {
        try {
            h.add("{'driver':'file','node-name':'x','filename':'" + image + ".nope'}");
            fail();
        } catch (BlockException e) {
            assertEquals("Could not open '" + image + ".nope': No such file or directory", e.getMessage());
        }
    }

    @Test
    public void readOnlyNodeRefusesWritesAndAioOptionsAreAccepted() throws Exception {
        h.clear();
        NodeHandle n = h.add("{'driver':'file','node-name':'ro','read-only':true,'aio':'io_uring','locking':'off','filename':'" + image + "'}");
        try {
            n.io().write(0, ByteBuffer.allocate(1), 0);
            fail();
        } catch (BlockException e) {
            assertEquals(BlockException.Kind.READ_ONLY, e.kind());
        }
        assertTrue(n.describe().get("ro").asBoolean());
    }

    @Test
    public void createMakesAFileOfTheSize() throws Exception {
        Path p = tmp.getRoot().toPath().resolve("new.img");
        new FileDriver().create(Json.obj("{'filename':'" + p + "','size':1048576}"), null);
        assertEquals(1048576, Files.size(p));
        new FileDriver().create(Json.obj("{'filename':'" + p + "','size':65536,'preallocation':'full'}"), null);
        assertEquals(65536, Files.size(p));
        new FileDriver().create(Json.obj("{'filename':'" + p + "','size':65536,'preallocation':'falloc'}"), null);
        assertEquals(65536, Files.size(p));
    }
}
