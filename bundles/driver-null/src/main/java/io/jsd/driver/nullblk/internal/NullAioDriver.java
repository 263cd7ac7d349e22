package io.jsd.driver.nullblk.internal;

import io.jsd.block.BlockDriver;
import io.jsd.block.BlockDriverName;
import io.jsd.block.BlockNode;
import io.jsd.block.OpenContext;
import org.osgi.service.component.annotations.Component;
import io.jsd.options.OptionsSchema;

/** qemu's null-aio: the same as null-co (qemu differs only in how it completes requests). */
@Component
@BlockDriverName("null-aio")
public final class NullAioDriver implements BlockDriver {
    @Override
    public BlockNode open(OpenContext ctx) { return new NullNode("null-aio", ctx); }

    @Override
    public OptionsSchema openSchema() { return NullSchema.OPEN; }
}
