package io.jsd.testkit;

import io.jsd.block.BlockNode;

/** A node with 4k alignment and 64k transfers: core must widen, read-modify-write and split. */
public class AlignedMemoryContractTest extends BlockNodeContract {
    private final GraphHarness h = new GraphHarness().driver("memory", new MemoryDriver());

    @Override
    protected BlockNode open(long size) throws Exception {
        return h.add("{'driver':'memory','node-name':'m0','size':" + size + ",'align':4096,'max-transfer':65536}").io();
    }

    @Override
    protected void close() { h.clear(); }
}
