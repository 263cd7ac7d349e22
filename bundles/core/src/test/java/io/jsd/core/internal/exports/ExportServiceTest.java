package io.jsd.core.internal.exports;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotSame;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jsd.block.BlockDriver;
import io.jsd.block.BlockException;
import io.jsd.block.BlockNode;
import io.jsd.block.Capabilities;
import io.jsd.core.internal.graph.GraphService;
import io.jsd.export.Export;
import io.jsd.export.ExportContext;
import io.jsd.export.ExportDriver;
import io.jsd.options.Options;
import io.jsd.qmp.QmpEvents;
import io.jsd.qmp.QmpSession;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.Before;
import org.junit.Test;

public class ExportServiceTest {
    private static final ObjectMapper M = new ObjectMapper().configure(JsonParser.Feature.ALLOW_SINGLE_QUOTES, true);
    private static final QmpSession SESSION = () -> false;

    private final List<String> events = new CopyOnWriteArrayList<>();
    private final QmpEvents ev = (name, data) -> events.add(name + " " + data);
    private GraphService graph;
    private ExportService exports;
    private FakeDriver fake;

    /** A fake export type: reads option "name", remembers what it was given. */
    static final class FakeDriver implements ExportDriver {
        final List<FakeExport> created = new CopyOnWriteArrayList<>();

        @Override
        public Export create(ExportContext ctx) {
            ctx.options().optString("name");
            FakeExport x = new FakeExport(ctx);
            created.add(x);
            return x;
        }
    }

    static final class FakeExport implements Export {
        final ExportContext ctx;
        volatile boolean inUse, closed, forced;

        FakeExport(ExportContext ctx) { this.ctx = ctx; }

        @Override public boolean inUse() { return inUse; }

        @Override public void close(boolean force) {
            closed = true;
            forced = force;
        }
    }

    static final class ZeroDriver implements BlockDriver {
        @Override
        public BlockNode open(io.jsd.block.OpenContext ctx) {
            return new BlockNode() {
                @Override public long size() { return 1 << 20; }
                @Override public void read(long o, ByteBuffer d) { d.position(d.limit()); }
                @Override public void write(long o, ByteBuffer s, int f) { s.position(s.limit()); }
                @Override public Capabilities capabilities() { return Capabilities.BASIC; }
            };
        }
    }

    static Options opts(String s) throws Exception { return Options.of((ObjectNode) M.readTree(s)); }

    @Before
    public void setUp() throws Exception {
        graph = new GraphService(ev, null);
        graph.addDriver("zero", new ZeroDriver());
        graph.add((ObjectNode) M.readTree("{'driver':'zero','node-name':'n0'}"));
        graph.add((ObjectNode) M.readTree("{'driver':'zero','node-name':'ro','read-only':true}"));
        graph.addDriver("pass", new io.jsd.core.internal.graph.PassDriver());
        graph.add((ObjectNode) M.readTree("{'driver':'pass','node-name':'over-ro','file':'ro','filter':true}"));
        exports = new ExportService(graph, ev);
        fake = new FakeDriver();
        exports.addDriver("fake", fake);
    }

    private void expect(String message, String json) throws Exception {
        try {
            exports.add(opts(json), SESSION);
            fail("accepted " + json);
        } catch (Exception e) {
            assertEquals(message, e.getMessage());
        }
    }

    @Test
    public void commonChecksUseQsdsMessages() throws Exception {
        exports.add(opts("{'type':'fake','id':'e0','node-name':'n0','writable':true,'name':'x'}"), SESSION);
        expect("Block export id 'e0' is already in use", "{'type':'fake','id':'e0','node-name':'n0'}");
        expect("Cannot find device='' nor node-name='nope'", "{'type':'fake','id':'e1','node-name':'nope'}");
        expect("Cannot export read-only node as writable", "{'type':'fake','id':'e1','node-name':'ro','writable':true}");
        expect("Block node is read-only", "{'type':'fake','id':'e1','node-name':'over-ro','writable':true}");
        expect("Parameter 'type' does not accept value 'bogus'", "{'type':'bogus','id':'e1','node-name':'n0'}");
        expect("Parameter 'bogus' is unexpected", "{'type':'fake','id':'e1','node-name':'n0','bogus':1}");
        assertEquals(1, exports.describe().size());
        assertEquals(2, fake.created.size());
        assertTrue("the export whose options were wrong was closed again", fake.created.get(1).closed);
        ObjectNode d = exports.describe().get(0);
        assertEquals("{\"type\":\"fake\",\"id\":\"e0\",\"node-name\":\"n0\",\"shutting-down\":false}", d.toString());
        assertTrue(fake.created.get(0).ctx.writable());
    }

    @Test
    public void exportedNodeIsBusyUntilTheExportGoes() throws Exception {
        exports.add(opts("{'type':'fake','id':'e0','node-name':'n0'}"), SESSION);
        try {
            graph.delete("n0");
            fail();
        } catch (BlockException e) {
            assertEquals("Node n0 is in use", e.getMessage());
        }
        exports.delete("e0", false);
        assertEquals(List.of("BLOCK_EXPORT_DELETED {\"id\":\"e0\"}"), events);
        graph.delete("n0");
    }

    @Test
    public void safeDeleteRefusesAnExportInUseHardDropsClients() throws Exception {
        exports.add(opts("{'type':'fake','id':'e0','node-name':'n0'}"), SESSION);
        fake.created.get(0).inUse = true;
        try {
            exports.delete("e0", false);
            fail();
        } catch (Exception e) {
            assertEquals("export 'e0' still in use", e.getMessage()); // QSD's wording
        }
        exports.delete("e0", true);
        assertTrue(fake.created.get(0).forced);
        try {
            exports.delete("e0", true);
            fail();
        } catch (Exception e) {
            assertEquals("Export 'e0' is not found", e.getMessage());
        }
    }

    @Test
    public void exportsFollowTheirDriverAwayAndBack() throws Exception {
        exports.add(opts("{'type':'fake','id':'e0','node-name':'n0','name':'disk'}"), SESSION);
        FakeExport first = fake.created.get(0);
        exports.removeDriver("fake", fake);
        assertTrue(first.closed);
        assertEquals("still listed while its driver is away", 1, exports.describe().size());
        expect("Parameter 'type' does not accept value 'fake'", "{'type':'fake','id':'e1','node-name':'n0'}");
        exports.addDriver("fake", fake);
        FakeExport second = fake.created.get(1);
        assertNotSame(first, second);
        assertFalse(second.closed);
        assertEquals("e0", second.ctx.id());
        exports.delete("e0", false);
        assertTrue(second.closed);
    }
}
