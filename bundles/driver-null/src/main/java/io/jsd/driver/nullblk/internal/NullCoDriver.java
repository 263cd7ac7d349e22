package io.jsd.driver.nullblk.internal;

import io.jsd.block.BlockDriver;
import io.jsd.block.BlockDriverName;
import io.jsd.block.BlockNode;
import io.jsd.block.OpenContext;
import org.osgi.service.component.annotations.Component;
import io.jsd.options.OptionsSchema;

/** qemu's null-co: a sink and a source of zeroes, for benchmarks and tests. */
@Component
@BlockDriverName("null-co")
public final class NullCoDriver implements BlockDriver {
    @Override
    public BlockNode open(OpenContext ctx) { return new NullNode("null-co", ctx); }

    @Override
    public OptionsSchema openSchema() { return NullSchema.OPEN; }
}
