package io.jsd.core.internal.graph;

import static io.jsd.block.Permission.WRITE;
import static io.jsd.block.Permission.WRITE_UNCHANGED;

import io.jsd.block.BlockException;
import io.jsd.block.ChildRole;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * qemu's permission model (block.c bdrv_refresh_perms and friends), as one transaction per change.
 *
 * <p>Every user of a node holds a {@link Grant}. A change to one grant (a parent linked, an export
 * added, a job switching phases) recomputes, parents before children, each affected node's
 * cumulative permissions and the grants its edges give its children; it checks every pair of users
 * of each node, the read-only state, and asks each driver whose cumulative permissions changed
 * ({@code checkPermissions}, where the file driver takes and tests its lock bytes). Only when all
 * of that succeeded are the new grants stored and the drivers told to commit; otherwise every
 * driver that was asked is told to abort and nothing has changed.
 */
final class PermissionGraph {

    /** The grant of {@code parent}'s edge {@code key} to {@code child}, from the parent's committed permissions. */
    static Grant edgeGrant(Node parent, String key, ChildRole role, Node child) {
        int[] p = ChildPermissions.of(parent, role, child, parent.perms.perm, parent.perms.shared);
        return new Grant(new Grant.ParentEdge(parent, key), "node '" + parent.nodeName() + "'", key, p[0], p[1]);
    }

    /**
     * Sets the grant of {@code owner} on {@code node} ({@code grant} null removes it; a new owner
     * becomes the newest user) and refreshes everything below, or throws and changes nothing.
     */
    synchronized void change(Node node, Object owner, Grant grant) throws BlockException {
        Map<Node, List<Grant>> pending = new HashMap<>();
        pending.put(node, replace(node.perms.grants, owner, grant));
        refresh(node, pending);
    }

    /** Like {@link #change} for a release, which only loosens permissions: an error cannot be acted on. */
    void release(Node node, Object owner) {
        try {
            change(node, owner, null);
        } catch (BlockException | RuntimeException e) {
            synchronized (this) {
                node.perms.grants = replace(node.perms.grants, owner, null); // forget it regardless
            }
        }
    }

    /** Hands a reopened driver node the permissions its users hold (the old driver node's locks went with it). */
    synchronized void reapply(Node n) throws BlockException {
        Node.Opened o = n.opened;
        if (o == null || !n.common().active()) return;
        int p = n.perms.perm, s = n.perms.shared;
        o.driver().checkPermissions(p, s);
        o.driver().setPermissions(p, s);
    }

    private static List<Grant> replace(List<Grant> grants, Object owner, Grant grant) {
        List<Grant> out = new ArrayList<>(grants.size() + 1);
        boolean found = false;
        for (Grant g : grants) {
            if (g.owner().equals(owner)) {
                found = true;
                if (grant != null) out.add(grant);
            } else {
                out.add(g);
            }
        }
        if (!found && grant != null) out.addFirst(grant);
        return List.copyOf(out);
    }

    private void refresh(Node root, Map<Node, List<Grant>> pending) throws BlockException {
        List<Node> order = new ArrayList<>();
        topological(root, new HashSet<>(), order);
        order = order.reversed();
        Map<Node, int[]> cumulative = new HashMap<>();
        List<Node> prepared = new ArrayList<>();
        try {
            for (Node n : order) {
                List<Grant> grants = pending.getOrDefault(n, n.perms.grants);
                checkUsers(n, grants);
                int p = NodePermissions.perm(grants), s = NodePermissions.shared(grants);
                if ((p & (WRITE | WRITE_UNCHANGED)) != 0 && n.readOnly()) {
                    throw new BlockException(BlockException.Kind.READ_ONLY, "Block node is read-only");
                }
                cumulative.put(n, new int[] {p, s});
                Node.Opened o = n.opened;
                // an inactive node takes no locks (file-posix's raw_handle_perm_lock): another process owns the image
                if (o != null && n.gate.isOpen() && n.common().active() && (p != n.perms.perm || s != n.perms.shared)) {
                    o.driver().checkPermissions(p, s);
                    prepared.add(n);
                }
                for (Node.Edge e : n.edgeList()) {
                    Object owner = new Grant.ParentEdge(n, e.key());
                    List<Grant> cg = pending.getOrDefault(e.child(), e.child().perms.grants);
                    Grant old = null;
                    for (Grant g : cg) if (g.owner().equals(owner)) old = g;
                    if (old == null) continue; // an edge still being linked
                    int[] c = ChildPermissions.of(n, e.role(), e.child(), p, s);
                    if (old.perm() != c[0] || old.shared() != c[1]) pending.put(e.child(), replace(cg, owner, old.with(c[0], c[1])));
                }
            }
        } catch (BlockException | RuntimeException e) {
            for (Node n : prepared.reversed()) {
                try {
                    n.opened.driver().abortPermissions();
                } catch (RuntimeException ignored) {
                    // undoing only releases locks
                }
            }
            throw e;
        }
        for (Node n : order) {
            List<Grant> g = pending.get(n);
            if (g != null) n.perms.grants = g;
            int[] c = cumulative.get(n);
            n.perms.perm = c[0];
            n.perms.shared = c[1];
        }
        for (Node n : prepared) {
            int[] c = cumulative.get(n);
            n.opened.driver().setPermissions(c[0], c[1]);
        }
    }

    /** Post-order over the children: reversed, every node comes after all its parents in the set (qemu's bdrv_topological_dfs). */
    private static void topological(Node n, Set<Node> seen, List<Node> out) {
        if (!seen.add(n)) return;
        for (Node.Edge e : n.edgeList()) topological(e.child(), seen, out);
        out.add(n);
    }

    /** qemu's bdrv_parent_perms_conflict: every user allows what every other one needs. */
    private static void checkUsers(Node n, List<Grant> grants) throws BlockException {
        for (Grant a : grants) {
            for (Grant b : grants) {
                if (a == b || (b.perm() & ~a.shared()) == 0) continue;
                String name = n.nodeName();
                throw new BlockException(BlockException.Kind.BUSY, "Permission conflict on node '" + name
                        + "': permissions '" + ChildPermissions.names(b.perm() & ~a.shared()) + "' are both required by "
                        + b.desc() + " (uses node '" + name + "' as '" + b.childName() + "' child) and unshared by "
                        + a.desc() + " (uses node '" + name + "' as '" + a.childName() + "' child).");
            }
        }
    }
}
