package io.jsd.driver.nullblk.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;

import io.jsd.block.BlockNode;
import io.jsd.block.NodeHandle;
import io.jsd.testkit.BlockNodeContract;
import io.jsd.testkit.GraphHarness;
import java.nio.ByteBuffer;
import org.junit.Test;

/** null-co through core: a sink that reads zeroes with read-zeroes=on. */
public class NullContractTest extends BlockNodeContract {
    private final GraphHarness h = new GraphHarness().driver("null-co", new NullCoDriver()).driver("null-aio", new NullAioDriver());

    @Override
    protected BlockNode open(long size) throws Exception {
        return h.add("{'driver':'null-co','node-name':'n0','size':" + size + ",'read-zeroes':true}").io();
    }

    @Override protected void close() { h.clear(); }

    @Override protected boolean stores() { return false; }

    @Test
    public void readZeroesFillsTheBuffer() throws Exception {
        ByteBuffer b = ByteBuffer.allocate(4096);
        b.put(0, (byte) 7);
        node.read(0, b);
        assertArrayEquals(new byte[4096], b.array());
    }

    @Test
    public void defaultsMatchQemu() throws Exception {
        NodeHandle n = h.add("{'driver':'null-aio','node-name':'n1','latency-ns':1000}");
        assertEquals(1L << 30, n.io().size());
        var d = n.describe();
        assertEquals("null-aio", d.get("drv").asText());
        NodeHandle plain = h.add("{'driver':'null-co','node-name':'n2'}");
        assertEquals("null-co://", plain.describe().get("file").asText());
        assertEquals(0, plain.describe().path("image").path("actual-size").asLong());
    }
}
