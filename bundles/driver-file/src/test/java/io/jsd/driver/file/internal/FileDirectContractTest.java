package io.jsd.driver.file.internal;

import static org.junit.Assert.assertTrue;

import io.jsd.block.NodeHandle;
import org.junit.Test;

/** The same contract with cache.direct=on (O_DIRECT, aligned bounce buffers, core read-modify-write). */
public class FileDirectContractTest extends FileContractTest {
    @Override
    protected String extra() { return ",'cache':{'direct':true},'aio':'native'"; }

    @Test
    public void reportsItsAlignment() throws Exception {
        NodeHandle n = h.graph.require("f0");
        assertTrue(n.io().limits().requestAlignment() >= 512);
        assertTrue(n.describe().path("cache").path("direct").asBoolean());
    }
}
