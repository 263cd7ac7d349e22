package io.jsd.block;

import org.osgi.annotation.versioning.ConsumerType;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A block driver plugin: a DS component registered with the service property
 * {@value #NAME_PROPERTY} (use {@link BlockDriverName}). Core looks drivers up by that name when a
 * blockdev-add names it, and closes the driver's nodes when the service goes away; it reopens them
 * from the same options when a driver of that name comes back.
 */
@ConsumerType
public interface BlockDriver {
    String NAME_PROPERTY = "jsd.block.driver.name";

    /**
     * Opens a node. Read options with {@code ctx.options()}; core rejects options nobody read.
     * Children are opened through {@link OpenContext#openChild}.
     */
    BlockNode open(OpenContext ctx) throws BlockException;

    /**
     * blockdev-create for this driver ({@code options} is the BlockdevCreateOptions object, without
     * "driver"). Runs inside a job; {@code ctx} reports progress and finds nodes.
     */
    default void create(ObjectNode options, CreateContext ctx) throws BlockException {
        throw BlockException.unsupported("Driver does not support blockdev-create");
    }
}
