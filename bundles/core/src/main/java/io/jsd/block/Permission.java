package io.jsd.block;

/**
 * What a user of a node may do with it (qemu's BLK_PERM_* bits). Every user of a node (a parent
 * node, an export, a job) holds a set of these and shares a set with the node's other users; core
 * refuses a user that needs what another does not share. A node's cumulative permissions (the
 * union of what its users hold, the intersection of what they share) reach its driver through
 * {@link BlockNode#checkPermissions}.
 */
public final class Permission {
    /** Reads return what was last written (the node is not inconsistent, e.g. mid-commit). */
    public static final int CONSISTENT_READ = 1;
    /** Writes that may change what the node reads as. */
    public static final int WRITE = 2;
    /** Writes that never change what the node reads as (copy-on-read, mirroring the same data). */
    public static final int WRITE_UNCHANGED = 4;
    /** Changing the node's size. */
    public static final int RESIZE = 8;
    /** Every permission: share everything, or hold everything. */
    public static final int ALL = CONSISTENT_READ | WRITE | WRITE_UNCHANGED | RESIZE;

    private Permission() {}
}
