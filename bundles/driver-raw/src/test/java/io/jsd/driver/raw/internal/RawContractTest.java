package io.jsd.driver.raw.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import io.jsd.block.BlockException;
import io.jsd.block.BlockNode;
import io.jsd.block.NodeHandle;
import io.jsd.options.OptionException;
import io.jsd.testkit.BlockNodeContract;
import io.jsd.testkit.GraphHarness;
import io.jsd.testkit.MemoryDriver;
import java.nio.ByteBuffer;
import org.junit.Test;

/** raw over the in-memory reference node, plain and with an offset window. */
public class RawContractTest extends BlockNodeContract {
    private final GraphHarness h = new GraphHarness().driver("memory", new MemoryDriver()).driver("raw", new RawDriver());

    @Override
    protected BlockNode open(long size) throws Exception {
        return h.add("{'driver':'raw','node-name':'r0','file':{'driver':'memory','size':" + size + "}}").io();
    }

    @Override protected void close() { h.clear(); }

    @Test
    public void offsetAndSizeMakeAWindow() throws Exception {
        NodeHandle m = h.add("{'driver':'memory','node-name':'m','size':65536}");
        NodeHandle r = h.add("{'driver':'raw','node-name':'w','offset':1000,'size':4096,'file':'m'}");
        assertEquals(4096, r.io().size());
        r.io().write(0, ByteBuffer.wrap(new byte[] {9, 8, 7}), 0);
        ByteBuffer b = ByteBuffer.allocate(3);
        m.io().read(1000, b);
        assertArrayEquals(new byte[] {9, 8, 7}, b.array());
        try {
            r.io().read(4095, ByteBuffer.allocate(2));
            fail();
        } catch (BlockException e) {
            assertEquals(BlockException.Kind.OUT_OF_RANGE, e.kind());
        }
        try {
            r.io().truncate(8192);
            fail();
        } catch (BlockException e) {
            assertEquals("Cannot resize fixed-size raw disks", e.getMessage());
        }
        assertTrue(r.describe().get("file").asText().startsWith("json:{"));
    }

    @Test
    public void windowPastTheEndIsRefusedWithQemusMessage() throws Exception {
        h.add("{'driver':'memory','node-name':'m','size':65536}");
        try {
            h.add("{'driver':'raw','node-name':'w','offset':65000,'size':1024,'file':'m'}");
            fail();
        } catch (BlockException e) {
            assertEquals("The sum of offset (65000) and size (1024) has to be smaller or equal to the  actual size"
                    + " of the containing file (65536)", e.getMessage());
        }
        try {
            h.add("{'driver':'raw','node-name':'w','size':1000,'file':'m'}");
            fail();
        } catch (OptionException e) {
            assertEquals("Specified size is not multiple of 512", e.getMessage());
        }
        assertTrue(h.graph.find("w").isEmpty());
    }

    @Test
    public void missingFileIsQemusMessage() throws Exception {
        try {
            h.add("{'driver':'raw','node-name':'w'}");
            fail();
        } catch (OptionException e) {
            assertEquals("Parameter 'file' is missing", e.getMessage());
        }
    }
}
