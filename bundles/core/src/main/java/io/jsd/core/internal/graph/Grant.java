package io.jsd.core.internal.graph;

/**
 * What one user of a node holds and shares (qemu's BdrvChild perm / shared_perm).
 *
 * @param owner identifies the user: a {@link ParentEdge} for a parent node, a token for an export or job
 * @param desc how qemu's conflict message names the user ("node 'q'", "an unnamed block device")
 * @param childName how the user calls the node ("file", "backing", "root")
 */
record Grant(Object owner, String desc, String childName, int perm, int shared) {

    /** The owner of a parent's grant on a child: the parent and the option key of the edge. */
    record ParentEdge(Node parent, String key) {
        @Override public boolean equals(Object o) {
            return o instanceof ParentEdge e && e.parent == parent && e.key.equals(key);
        }

        @Override public int hashCode() { return System.identityHashCode(parent) * 31 + key.hashCode(); }
    }

    Grant with(int p, int s) { return new Grant(owner, desc, childName, p, s); }
}
