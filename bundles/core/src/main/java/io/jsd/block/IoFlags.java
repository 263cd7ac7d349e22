package io.jsd.block;

/** Request flags passed to {@link BlockNode} writes and write-zeroes. */
public final class IoFlags {
    private IoFlags() {}

    /** Force unit access: the data is on stable storage when the call returns. */
    public static final int FUA = 1;
    /** write-zeroes may deallocate the range instead of writing zeroes. */
    public static final int MAY_UNMAP = 2;
    /** write-zeroes must fail with UNSUPPORTED rather than fall back to slow writes. */
    public static final int FAST_ZERO = 4;

    public static boolean has(int flags, int flag) { return (flags & flag) != 0; }
}
