package io.jsd.testkit;

import io.jsd.block.BlockNode;

/** The reference node itself, through core's wrapper. */
public class MemoryNodeContractTest extends BlockNodeContract {
    private final GraphHarness h = new GraphHarness().driver("memory", new MemoryDriver());

    @Override
    protected BlockNode open(long size) throws Exception {
        return h.add("{'driver':'memory','node-name':'m0','size':" + size + "}").io();
    }

    @Override
    protected void close() { h.clear(); }
}
