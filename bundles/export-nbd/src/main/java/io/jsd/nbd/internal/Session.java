package io.jsd.nbd.internal;

/** What option haggling settled for one connection, fixed for the whole transmission phase. */
final class Session {
    /** Replies as in the base protocol. */
    static final int MODE_SIMPLE = 0;
    /** NBD_OPT_STRUCTURED_REPLY was negotiated. */
    static final int MODE_STRUCTURED = 1;
    /** NBD_OPT_EXTENDED_HEADERS was negotiated (implies structured replies, 64-bit lengths). */
    static final int MODE_EXTENDED = 2;

    final NbdExport export;
    final int mode;
    final boolean baseAllocation;
    final boolean allocationDepth;
    /** The transmission flags this client was told. */
    final int flags;

    Session(NbdExport export, int mode, boolean baseAllocation, boolean allocationDepth, int flags) {
        this.export = export;
        this.mode = mode;
        this.baseAllocation = baseAllocation;
        this.allocationDepth = allocationDepth;
        this.flags = flags;
    }

    boolean structured() { return mode >= MODE_STRUCTURED; }

    boolean extended() { return mode >= MODE_EXTENDED; }

    int contexts() { return (baseAllocation ? 1 : 0) + (allocationDepth ? 1 : 0); }
}
