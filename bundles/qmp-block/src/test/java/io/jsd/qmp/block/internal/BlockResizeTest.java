package io.jsd.qmp.block.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.fail;

import org.junit.After;
import org.junit.Test;

import io.jsd.options.Options;
import io.jsd.testkit.GraphHarness;
import io.jsd.testkit.Json;
import io.jsd.testkit.MemoryDriver;

/** block_resize finds the node by node-name only and answers with QSD's messages. */
public class BlockResizeTest {
    private final GraphHarness h = new GraphHarness().driver("memory", new MemoryDriver());
    private final BlockResize cmd = new BlockResize(h.graph);

    @After
    public void clear() { h.clear(); }

    private String error(String json) {
        try {
            cmd.execute(new Options(Json.obj(json), "", false), null);
            fail("expected an error for " + json);
            return null;
        } catch (Exception e) {
            return e.getMessage();
        }
    }

    @Test
    public void resizesAndRefusesLikeQsd() throws Exception {
        h.add("{'driver':'memory','node-name':'m0','size':1048576}");
        assertEquals("Cannot find device='' nor node-name=''", error("{'size':2097152}"));
        assertEquals("Cannot find device='' nor node-name='nope'", error("{'node-name':'nope','size':1}"));
        assertEquals("Cannot find device='m0' nor node-name=''", error("{'device':'m0','size':1}"));
        assertEquals("Parameter 'size' expects a >0 size", error("{'node-name':'m0','size':-1}"));
        cmd.execute(new Options(Json.obj("{'node-name':'m0','size':4194304}"), "", false), null);
        assertEquals(4194304, h.graph.require("m0").io().size());
    }
}
