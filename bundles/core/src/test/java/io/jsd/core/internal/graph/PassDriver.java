package io.jsd.core.internal.graph;

/** The pass-through test format, public for tests in other packages. */
public final class PassDriver implements io.jsd.block.BlockDriver {
    private final RecDriver.Pass pass = new RecDriver.Pass();

    @Override
    public io.jsd.block.BlockNode open(io.jsd.block.OpenContext ctx) throws io.jsd.block.BlockException { return pass.open(ctx); }
}
