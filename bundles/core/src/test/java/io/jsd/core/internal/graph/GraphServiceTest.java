package io.jsd.core.internal.graph;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jsd.block.BlockException;
import io.jsd.block.BlockNode;
import io.jsd.block.IoFlags;
import io.jsd.block.NodeHandle;
import io.jsd.options.OptionException;
import io.jsd.options.Options;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.Before;
import org.junit.Test;

public class GraphServiceTest {
    private static final ObjectMapper M = new ObjectMapper().configure(JsonParser.Feature.ALLOW_SINGLE_QUOTES, true);
    private GraphService g;
    private RecDriver rec;

    static ObjectNode obj(String s) throws Exception { return (ObjectNode) M.readTree(s); }

    private NodeHandle add(String s) throws Exception { return g.add(obj(s)); }

    @Before
    public void setUp() {
        RecDriver.STORES.clear();
        g = new GraphService(null, null);
        rec = new RecDriver();
        g.addDriver("rec", rec);
        g.addDriver("pass", new RecDriver.Pass());
    }

    private void expect(String message, Class<? extends Exception> type, String json) throws Exception {
        try {
            add(json);
            fail("accepted: " + json);
        } catch (Exception e) {
            assertTrue(e.toString(), type.isInstance(e));
            assertEquals(message, e.getMessage());
        }
    }

    private void expectDel(String message, String name) {
        try {
            g.delete(name);
            fail("deleted " + name);
        } catch (BlockException e) {
            assertEquals(message, e.getMessage());
        }
    }

    @Test
    public void inlineChildGetsAGeneratedName() throws Exception {
        NodeHandle p = add("{'driver':'pass','node-name':'p','file':{'driver':'rec'}}");
        assertEquals(1, p.children().size());
        List<NodeHandle> nodes = g.nodes();
        assertEquals(2, nodes.size());
        String child = nodes.get(0).nodeName();
        assertTrue(child, child.matches("#block\\d{3,}"));
        assertSame(p, nodes.get(1));
        assertEquals("file", p.children().get(0).name());
    }

    @Test
    public void qemuMessagesForBadOptions() throws Exception {
        expect("'node-name' must be specified for the root node", OptionException.class, "{'driver':'rec'}");
        expect("Parameter 'driver' is missing", OptionException.class, "{'node-name':'x'}");
        expect("Parameter 'driver' does not accept value 'nosuch'", OptionException.class, "{'driver':'nosuch','node-name':'x'}");
        expect("Parameter 'file.driver' does not accept value 'nosuch'", OptionException.class,
                "{'driver':'pass','node-name':'x','file':{'driver':'nosuch'}}");
        expect("Parameter 'bogus' is unexpected", OptionException.class, "{'driver':'rec','node-name':'x','bogus':1}");
        expect("Parameter 'file.bogus' is unexpected", OptionException.class,
                "{'driver':'pass','node-name':'x','file':{'driver':'rec','bogus':1}}");
        expect("Invalid node-name: '#x'", OptionException.class, "{'driver':'rec','node-name':'#x'}");
        expect("Parameter 'file' is missing", OptionException.class, "{'driver':'pass','node-name':'x'}");
        expect("Cannot find device='nope' nor node-name='nope'", BlockException.class, "{'driver':'pass','node-name':'x','file':'nope'}");
        expect("Invalid parameter type for 'file.cache.direct', expected: boolean", OptionException.class,
                "{'driver':'pass','node-name':'x','file':{'driver':'rec','cache':{'direct':'x'}}}");
        expect("Parameter 'detect-zeroes' does not accept value 'bogus'", OptionException.class,
                "{'driver':'rec','node-name':'x','detect-zeroes':'bogus'}");
        expect("setting detect-zeroes to unmap is not allowed without setting discard operation to unmap", OptionException.class,
                "{'driver':'rec','node-name':'x','detect-zeroes':'unmap'}");
        add("{'driver':'rec','node-name':'a'}");
        expect("Duplicate nodes with node-name='a'", OptionException.class, "{'driver':'rec','node-name':'a'}");
        assertEquals("failed adds leave nothing behind", 1, g.nodes().size());
    }

    @Test
    public void deleteRefusesBusyNodesWithQsdsWords() throws Exception {
        add("{'driver':'rec','node-name':'base'}");
        add("{'driver':'pass','node-name':'top','file':'base'}");
        NodeHandle inl = add("{'driver':'pass','node-name':'top2','file':{'driver':'rec'}}");
        String implicitName = inl.children().get(0).name().equals("file") ? g.nodes().get(2).nodeName() : null;
        expectDel("Block device base is in use", "base");
        expectDel("Node " + implicitName + " is not owned by the monitor", implicitName);
        expectDel("Failed to find node with node-name='nope'", "nope");
        AutoCloseable u = g.require("top").use("export e0");
        expectDel("Node top is in use", "top");
        u.close();
        AutoCloseable j = g.require("top").use("job mirror");
        expectDel("Node 'top' is busy: block device is in use by block job: mirror", "top");
        j.close();
        g.delete("top");
        g.delete("base");
        g.delete("top2");
        assertTrue("implicit child went with its parent", g.nodes().isEmpty());
    }

    @Test
    public void deletingTheRootKeepsReferencedChildren() throws Exception {
        add("{'driver':'rec','node-name':'base'}");
        add("{'driver':'pass','node-name':'top','file':'base'}");
        g.delete("top");
        assertTrue(g.find("base").isPresent());
        g.delete("base");
    }

    @Test
    public void childrenInheritReadOnlyAndCacheAndDefaultToUnmap() throws Exception {
        NodeHandle p = add("{'driver':'pass','node-name':'p','read-only':true,'cache':{'direct':true,'no-flush':true},"
                + "'file':{'driver':'rec'}}");
        Node c = ((NodeIo) p.children().get(0).node()).node();
        assertTrue(c.readOnly());
        assertTrue(c.common().cacheDirect());
        assertTrue(c.common().noFlush());
        assertTrue("a format's primary child defaults to discard=unmap", c.common().discardUnmap());
        assertFalse(((Node) p).common().discardUnmap());
        ObjectNode d = p.describe();
        assertTrue(d.get("ro").asBoolean());
        assertTrue(d.path("cache").path("direct").asBoolean());
        assertEquals("off", d.get("detect_zeroes").asText());
        assertEquals("pass", d.path("image").path("format").asText());
        try {
            p.io().write(0, ByteBuffer.allocate(1), 0);
            fail();
        } catch (BlockException e) {
            assertEquals(BlockException.Kind.READ_ONLY, e.kind());
        }
    }

    @Test
    public void coreEmulatesWhatTheDriverLacks() throws Exception {
        NodeHandle n = add("{'driver':'rec','node-name':'n','zeroes':false,'discard':'unmap'}");
        n.io().writeZeroes(0, 4096, 0);
        assertEquals(List.of("write 0 4096 0"), rec.calls);
        rec.calls.clear();
        n.io().write(0, ByteBuffer.allocate(512).put(0, (byte) 1), IoFlags.FUA);
        assertEquals(List.of("write 0 512 0", "flush"), rec.calls);
        try {
            n.io().writeZeroes(0, 4096, IoFlags.FAST_ZERO);
            fail();
        } catch (BlockException e) {
            assertEquals(BlockException.Kind.UNSUPPORTED, e.kind());
        }
    }

    @Test
    public void discardIgnoreAndDetectZeroes() throws Exception {
        NodeHandle ign = add("{'driver':'rec','node-name':'i'}");
        ign.io().discard(0, 4096);
        ign.io().writeZeroes(0, 4096, IoFlags.MAY_UNMAP);
        assertEquals("discard=ignore: no discard, MAY_UNMAP stripped", List.of("zeroes 0 4096 0"), rec.calls);
        rec.calls.clear();
        NodeHandle dz = add("{'driver':'rec','node-name':'d','discard':'unmap','detect-zeroes':'unmap'}");
        dz.io().write(4096, ByteBuffer.allocate(4096), 0);
        dz.io().discard(0, 4096);
        assertEquals(List.of("zeroes 4096 4096 2", "discard 0 4096"), rec.calls);
        rec.calls.clear();
        NodeHandle nf = add("{'driver':'rec','node-name':'nf','cache':{'no-flush':true}}");
        nf.io().flush();
        assertTrue(rec.calls.isEmpty());
    }

    @Test
    public void driverLeavingAndReturningReopensNodesUnderTheSameIo() throws Exception {
        NodeHandle top = add("{'driver':'pass','node-name':'top','file':{'driver':'rec','id':'disk'}}");
        BlockNode io = top.io();
        io.write(0, ByteBuffer.wrap(new byte[] {1, 2, 3}), 0);
        g.removeDriver("rec", rec);
        NodeHandle child = g.nodes().get(0);
        assertFalse(child.available());
        try {
            io.read(0, ByteBuffer.allocate(3));
            fail();
        } catch (BlockException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("Block driver 'rec' is not installed"));
        }
        assertEquals("rec", child.describe().get("drv").asText());
        expect("Parameter 'driver' does not accept value 'rec'", OptionException.class, "{'driver':'rec','node-name':'x'}");
        g.addDriver("rec", rec);
        assertTrue(child.available());
        ByteBuffer b = ByteBuffer.allocate(3);
        io.read(0, b);
        assertArrayEquals(new byte[] {1, 2, 3}, b.array());
        assertEquals("same nodes, no new ones", 2, g.nodes().size());
    }

    @Test
    public void parentDriverReturningAfterChildStillReopens() throws Exception {
        RecDriver.Pass pass = new RecDriver.Pass();
        g.addDriver("pass2", pass);
        NodeHandle top = add("{'driver':'pass2','node-name':'top','file':{'driver':'rec','id':'d2'}}");
        g.removeDriver("rec", rec);
        g.removeDriver("pass2", pass);
        g.addDriver("pass2", pass); // child still missing: stays closed
        assertFalse(top.available());
        g.addDriver("rec", rec);
        assertTrue(top.available());
        top.io().flush();
    }

    @Test
    public void keyvalOptionsConvert() throws Exception {
        Options o = new Options(obj("{'driver':'rec','node-name':'k','size':'0x1000','read-only':'on'}"), "", true);
        NodeHandle n = g.add(o);
        assertEquals(4096, n.io().size());
        assertTrue(n.readOnly());
    }

    /** A driver whose reads wait for a latch, to see blockdev-del drain in-flight requests. */
    static final class SlowDriver implements io.jsd.block.BlockDriver {
        final java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
        final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        volatile boolean closed;

        @Override
        public BlockNode open(io.jsd.block.OpenContext ctx) {
            return new BlockNode() {
                @Override public long size() { return 4096; }
                @Override public void read(long off, ByteBuffer dst) {
                    entered.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    if (closed) throw new IllegalStateException("read ran after close");
                    dst.position(dst.limit());
                }
                @Override public void write(long off, ByteBuffer src, int flags) { src.position(src.limit()); }
                @Override public io.jsd.block.Capabilities capabilities() { return io.jsd.block.Capabilities.BASIC; }
                @Override public void close() { closed = true; }
            };
        }
    }

    @Test
    public void deleteDrainsInFlightRequestsFirst() throws Exception {
        SlowDriver slow = new SlowDriver();
        g.addDriver("slow", slow);
        BlockNode io = add("{'driver':'slow','node-name':'s'}").io();
        var reader = Thread.ofVirtual().start(() -> {
            try {
                io.read(0, ByteBuffer.allocate(512));
            } catch (BlockException e) {
                throw new IllegalStateException(e);
            }
        });
        slow.entered.await();
        var deleter = Thread.ofVirtual().start(() -> {
            try {
                g.delete("s");
            } catch (BlockException e) {
                throw new IllegalStateException(e);
            }
        });
        // the delete cannot finish while the read is running; the node is not closed under it
        assertFalse(deleter.join(java.time.Duration.ofMillis(200)));
        assertFalse(slow.closed);
        slow.release.countDown();
        reader.join();
        deleter.join();
        assertTrue(slow.closed);
        try {
            io.read(0, ByteBuffer.allocate(512));
            fail();
        } catch (BlockException e) {
            assertEquals("Node 's' has been deleted", e.getMessage());
        }
    }
}
