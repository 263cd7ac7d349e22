package io.jsd.driver.file.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jsd.block.BlockDriver;
import io.jsd.block.BlockDriverName;
import io.jsd.block.BlockException;
import io.jsd.block.BlockNode;
import io.jsd.block.CreateContext;
import io.jsd.block.OpenContext;
import org.osgi.service.component.annotations.Component;
import io.jsd.options.OptionsSchema;

/** qemu's "file" protocol driver (block/file-posix.c) for regular files. */
@Component
@BlockDriverName("file")
public final class FileDriver implements BlockDriver {
    @Override
    public BlockNode open(OpenContext ctx) throws BlockException { return FileOpener.open("file", ctx); }

    @Override
    public void create(ObjectNode options, CreateContext ctx) throws BlockException { FileCreator.create(options, ctx); }

    @Override
    public OptionsSchema openSchema() { return FileSchema.OPEN; }

    @Override
    public OptionsSchema createSchema() { return FileSchema.CREATE; }
}
