package io.jsd.block;

import org.osgi.annotation.versioning.ConsumerType;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.jsd.options.OptionsSchema;

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
     * The driver's members of blockdev-add's BlockdevOptions (added to the common node-name,
     * read-only, cache, ...): checked before anything opens and listed by query-qmp-schema.
     * {@link OptionsSchema#NONE} when the driver takes no options of its own. Every shipped driver
     * declares it; the default, {@link OptionsSchema#UNDECLARED}, leaves the checks to the driver.
     */
    default OptionsSchema openSchema() { return OptionsSchema.UNDECLARED; }

    /** The driver's members of blockdev-create's BlockdevCreateOptions, when it implements {@link #create}. */
    default OptionsSchema createSchema() { return OptionsSchema.NONE; }

    /**
     * blockdev-create for this driver ({@code options} is the BlockdevCreateOptions object, without
     * "driver"). Runs inside a job; {@code ctx} reports progress and finds nodes.
     */
    default void create(ObjectNode options, CreateContext ctx) throws BlockException {
        throw BlockException.unsupported("Driver does not support blockdev-create");
    }
}
