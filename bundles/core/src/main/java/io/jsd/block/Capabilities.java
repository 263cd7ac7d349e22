package io.jsd.block;

/**
 * What a driver implements natively. Core derives the node's effective capabilities from this once
 * per open: zero without native support becomes EMULATED (writes of zeroes), FUA becomes EMULATED
 * (write + flush), and everything that modifies data is NONE on a read-only node.
 *
 * @param write        the node accepts writes at all
 * @param writeZeroes  the driver's own write-zeroes
 * @param fua          the driver honours {@link IoFlags#FUA} itself
 * @param discard      discard may free space (otherwise it is accepted and ignored)
 * @param flush        the driver has something to flush
 * @param blockStatus  {@link BlockNode#blockStatus} reports real allocation
 * @param truncate     the size can change
 * @param multiConn    several connections may write concurrently and a flush on one covers all
 */
public record Capabilities(boolean write, Support writeZeroes, Support fua, boolean discard, boolean flush,
                           boolean blockStatus, boolean truncate, boolean multiConn) {

    /** A plain read/write device with nothing special. */
    public static final Capabilities BASIC =
            new Capabilities(true, Support.NONE, Support.NONE, false, true, false, false, true);

    public Capabilities withWrite(boolean w) {
        return new Capabilities(w, writeZeroes, fua, discard, flush, blockStatus, truncate, multiConn);
    }
}
