package io.jsd.core.internal.graph;

import static io.jsd.block.Permission.ALL;
import static io.jsd.block.Permission.CONSISTENT_READ;
import static io.jsd.block.Permission.RESIZE;
import static io.jsd.block.Permission.WRITE;
import static io.jsd.block.Permission.WRITE_UNCHANGED;

import io.jsd.block.ChildRole;

/**
 * What a parent holds and shares on a child, from the child's role and what the parent's own users
 * hold and share: qemu's bdrv_default_perms (block.c) with its filter, storage (data, metadata) and
 * COW rules, and the raw format's own bdrv_child_perm.
 */
final class ChildPermissions {
    private ChildPermissions() {}

    /** [perm, shared] of {@code parent}'s edge to {@code child} in {@code role}, the parent's users holding {@code perm} / sharing {@code shared}. */
    static int[] of(Node parent, ChildRole role, Node child, int perm, int shared) {
        boolean inactive = !parent.common().active();
        boolean writable = !parent.common().readOnly() && !inactive;
        boolean raw = parent.driver().equals("raw") && role == ChildRole.PRIMARY;
        if (raw) {
            // raw-format.c: a filter unless offset or size limit it, then a data child
            var o = parent.options();
            role = o.has("offset") || o.has("size") ? ChildRole.DATA : ChildRole.FILTERED;
        }
        int p, s;
        switch (role) {
            case FILTERED -> { p = perm; s = shared; }
            case COW -> {
                // only consistent reads go to a backing file; it may change under a parent that copes with that
                p = perm & CONSISTENT_READ;
                s = (shared & WRITE) != 0 ? WRITE | RESIZE : 0;
                s |= CONSISTENT_READ | WRITE_UNCHANGED;
                if (inactive) s |= WRITE | RESIZE;
            }
            default -> {
                boolean metadata = role == ChildRole.PRIMARY || role == ChildRole.METADATA;
                boolean data = role == ChildRole.PRIMARY || role == ChildRole.DATA;
                p = perm;
                s = shared;
                if (metadata) {
                    // a format driver touches metadata even when its users do not write, and
                    // nobody else may write or resize under its metadata
                    if (writable) p |= WRITE | RESIZE;
                    p |= CONSISTENT_READ;
                    s &= ~(WRITE | RESIZE);
                }
                if (data) {
                    s &= ~RESIZE; // the format may rely on the size of its data file
                    if ((p & WRITE_UNCHANGED) != 0) p |= WRITE;
                    if ((p & WRITE) != 0) p |= RESIZE; // writes beyond the end grow it
                }
                if (inactive) s |= WRITE | RESIZE;
            }
        }
        if (raw) p = (p & ~(WRITE | RESIZE)) | (perm & (WRITE | RESIZE)); // raw_child_perm: only what its users ask
        if (child.common().forceShare()) s = ALL;
        return new int[] {p, s};
    }

    /** qemu's bdrv_perm_names: "write, resize". */
    static String names(int perm) {
        String[] names = {"consistent read", "write", "write unchanged", "resize"};
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < names.length; i++) {
            if ((perm & (1 << i)) == 0) continue;
            if (b.length() > 0) b.append(", ");
            b.append(names[i]);
        }
        return b.toString();
    }
}
