package io.jsd.block;

/**
 * One extent of allocation information, as returned by {@link BlockNode#blockStatus}.
 *
 * @param offset start of the extent (equal to the queried offset)
 * @param length length of the extent, at least 1 byte, never past the queried range
 * @param flags  {@link #DATA}, {@link #ZERO}, {@link #ALLOCATED}
 */
public record BlockStatus(long offset, long length, int flags) {
    /** The range holds data (it is not a hole). */
    public static final int DATA = 1;
    /** The range reads as zeroes. */
    public static final int ZERO = 2;
    /** The range is allocated in this node (not passed through to a backing node). */
    public static final int ALLOCATED = 4;

    public static BlockStatus data(long offset, long length) { return new BlockStatus(offset, length, DATA | ALLOCATED); }

    public boolean isData() { return (flags & DATA) != 0; }
    public boolean isZero() { return (flags & ZERO) != 0; }
    public boolean isAllocated() { return (flags & ALLOCATED) != 0; }
}
