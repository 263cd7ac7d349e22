package io.jsd.driver.file.internal;

import io.jsd.block.BlockDriver;
import io.jsd.block.BlockDriverName;
import io.jsd.block.BlockException;
import io.jsd.block.BlockNode;
import io.jsd.block.OpenContext;
import org.osgi.service.component.annotations.Component;
import io.jsd.options.OptionsSchema;

/** qemu's "host_device" driver: a block or character device, sized with BLKGETSIZE64. */
@Component
@BlockDriverName("host_device")
public final class HostDeviceDriver implements BlockDriver {
    @Override
    public BlockNode open(OpenContext ctx) throws BlockException { return FileOpener.open("host_device", ctx); }

    @Override
    public OptionsSchema openSchema() { return FileSchema.OPEN; }
}
