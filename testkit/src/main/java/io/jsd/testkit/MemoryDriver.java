package io.jsd.testkit;

import io.jsd.block.BlockDriver;
import io.jsd.block.BlockLimits;
import io.jsd.block.BlockNode;
import io.jsd.block.OpenContext;
import io.jsd.options.OptionsSchema;
import io.jsd.options.QapiType;

/** Driver "memory" for tests: options {@code size} (default 1 MiB), {@code align} and {@code max-transfer} to exercise core's splitting. */
public final class MemoryDriver implements BlockDriver {
    @Override
    public BlockNode open(OpenContext ctx) {
        var o = ctx.options();
        long size = o.integer("size", 1 << 20);
        int align = (int) o.integer("align", 1);
        int max = (int) o.integer("max-transfer", BlockLimits.DEFAULT.maxTransfer());
        return new MemoryNode(size, new BlockLimits(align, 0, max, max, max));
    }

    @Override
    public OptionsSchema openSchema() {
        return OptionsSchema.of(QapiType.struct("JsdBlockdevOptionsMemory", "size?:int", "align?:int", "max-transfer?:int"));
    }
}
