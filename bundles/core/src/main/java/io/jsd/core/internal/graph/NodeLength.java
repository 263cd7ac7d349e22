package io.jsd.core.internal.graph;

import io.jsd.block.BlockException;

/**
 * qemu's limit on a node's length (block.c, BDRV_MAX_LENGTH): INT64_MAX rounded down to 1 GiB, the
 * length rounded up to whole 512-byte sectors. Larger nodes are refused on open, so no length ever
 * reaches a client as a negative number.
 */
final class NodeLength {
    static final long MAX = Long.MAX_VALUE & ~((1L << 30) - 1);

    private NodeLength() {}

    static void check(long length) throws BlockException {
        if (length < 0) return; // unknown: the driver reports its own error
        long sectors = (length >>> 9) + ((length & 511) != 0 ? 1 : 0);
        if (sectors > MAX >>> 9) throw BlockException.invalid("Could not refresh total sector count: File too large");
    }
}
