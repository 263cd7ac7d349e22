package io.jsd.export;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * An export type plugin (nbd, vhost-user-blk, ...), a DS component registered with
 * {@link ExportTypeName}. Core owns the list of exports: it checks the common options (unique id,
 * node exists, "Cannot export read-only node as writable") once, then calls {@link #create}. When
 * the driver service goes away core closes its exports and recreates them when it returns.
 */
@ConsumerType
public interface ExportDriver {
    String TYPE_PROPERTY = "jsd.export.type.name";

    /** Starts serving. Read the type-specific options from {@code ctx.options()}. */
    Export create(ExportContext ctx) throws Exception;

    /**
     * The type's members of block-export-add's BlockExportOptions (added to the common type, id,
     * node-name, writable, ...): checked before anything runs and listed by query-qmp-schema. Every
     * shipped export type declares it; the default leaves the checks to the export type.
     */
    default io.jsd.options.OptionsSchema optionsSchema() { return io.jsd.options.OptionsSchema.UNDECLARED; }

    /**
     * Reads every type-specific option of {@code options} (type checks included) without acting, so
     * that core can report unexpected or ill-typed arguments before any other error, as QSD's QAPI
     * layer does. Returns false when the driver does not do this (then such errors come last).
     */
    default boolean readOptions(io.jsd.options.Options options) throws Exception { return false; }
}
