package io.jsd.block;

/** What a child is to its parent (qemu's BdrvChildRole). */
public enum ChildRole {
    /** Holds the parent's data and metadata (format over protocol: qcow2's "file"). */
    PRIMARY,
    /** Holds guest data only (qcow2's "data-file"). */
    DATA,
    /** Holds metadata only. */
    METADATA,
    /** Backing image read for unallocated ranges (qcow2's "backing"). */
    COW,
    /** The node a filter passes everything through to (raw, throttle, ...). */
    FILTERED
}
