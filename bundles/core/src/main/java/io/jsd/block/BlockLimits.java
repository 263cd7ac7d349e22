package io.jsd.block;

/**
 * Alignment and size limits of a node. Core splits and aligns requests so a driver only sees
 * offsets and lengths that are multiples of {@code requestAlignment} and at most {@code maxTransfer}.
 *
 * @param requestAlignment smallest unit of I/O (1 for byte-granular, 512 or 4096 for O_DIRECT)
 * @param optimalTransfer  preferred size of one request (e.g. a qcow2 cluster), 0 if none
 * @param maxTransfer      largest read/write in one call
 * @param maxDiscard       largest discard in one call
 * @param maxWriteZeroes   largest write-zeroes in one call
 */
public record BlockLimits(int requestAlignment, int optimalTransfer, int maxTransfer, long maxDiscard, long maxWriteZeroes) {
    public static final int MIB = 1 << 20;
    public static final BlockLimits DEFAULT = new BlockLimits(1, 4096, 32 * MIB, 1L << 30, 1L << 30);

    public BlockLimits {
        if (requestAlignment < 1 || Integer.bitCount(requestAlignment) != 1) {
            throw new IllegalArgumentException("requestAlignment must be a power of two: " + requestAlignment);
        }
    }
}
