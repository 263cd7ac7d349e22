package io.jsd.core.internal.graph;

import io.jsd.block.Permission;
import java.util.List;

/**
 * The permission state of one node: its users' grants (newest first, the order qemu keeps a node's
 * parents in, which decides which of two conflicting users its message names first) and the
 * cumulative permissions last committed to the driver. Changed only by {@link PermissionGraph}.
 */
final class NodePermissions {
    volatile List<Grant> grants = List.of();
    volatile int perm;
    volatile int shared = Permission.ALL;

    /** Union of what the grants hold. */
    static int perm(List<Grant> grants) {
        int p = 0;
        for (Grant g : grants) p |= g.perm();
        return p;
    }

    /** Intersection of what the grants share. */
    static int shared(List<Grant> grants) {
        int s = Permission.ALL;
        for (Grant g : grants) s &= g.shared();
        return s;
    }
}
