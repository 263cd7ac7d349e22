package io.jsd.driver.raw.internal;

import io.jsd.block.BlockDriver;
import io.jsd.block.BlockDriverName;
import io.jsd.block.BlockException;
import io.jsd.block.BlockNode;
import io.jsd.block.ChildRole;
import io.jsd.block.OpenContext;
import io.jsd.options.OptionException;
import io.jsd.options.Options;
import org.osgi.service.component.annotations.Component;
import io.jsd.options.OptionsSchema;
import io.jsd.options.QapiType;

/** qemu's raw format driver (block/raw-format.c): offset and size over the "file" child. */
@Component
@BlockDriverName("raw")
public final class RawDriver implements BlockDriver {
    private static final int SECTOR = 512;

    @Override
    public BlockNode open(OpenContext ctx) throws BlockException {
        Options o = ctx.options();
        long offset = o.integer("offset", 0);
        long size = o.optInteger("size").orElse(-1L);
        // like qemu's raw_open: the child first, then the checks of offset and size
        BlockNode file = ctx.openChild("file", ChildRole.PRIMARY, true);
        if (offset < 0) throw new OptionException("Parameter 'offset' expects a non-negative number");
        if (o.has("size") && size < 0) throw new OptionException("Parameter 'size' expects a non-negative number");
        if (size >= 0 && size % SECTOR != 0) throw new OptionException("Specified size is not multiple of " + SECTOR);
        long fileSize = file.size();
        long effective = size >= 0 ? size : Math.max(0, fileSize - offset);
        if (offset > fileSize || effective > fileSize - offset) {
            // qemu's message, double space included
            throw BlockException.invalid("The sum of offset (" + offset + ") and size (" + effective
                    + ") has to be smaller or equal to the  actual size of the containing file (" + fileSize + ")");
        }
        return new RawNode(file, offset, size, ctx.readOnly());
    }

    @Override
    public OptionsSchema openSchema() {
        return OptionsSchema.of(QapiType.struct("BlockdevOptionsRaw", "file:BlockdevRef", "offset?:int", "size?:int"));
    }
}
