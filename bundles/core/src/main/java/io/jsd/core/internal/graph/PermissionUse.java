package io.jsd.core.internal.graph;

import io.jsd.block.BlockException;
import io.jsd.block.NodeUse;

/**
 * A user of a node outside the graph (an export, a job) with its grant: qemu's BlockBackend on the
 * node, which its conflict messages call "an unnamed block device" using the node as "root".
 */
final class PermissionUse implements NodeUse {
    private final PermissionGraph permissions;
    private final Node node;
    private final AutoCloseable registration;
    private final Object owner = new Object();

    private PermissionUse(PermissionGraph permissions, Node node, AutoCloseable registration) {
        this.permissions = permissions;
        this.node = node;
        this.registration = registration;
    }

    static PermissionUse register(PermissionGraph permissions, Node node, String who, int perm, int shared)
            throws BlockException {
        AutoCloseable registration = node.use(who);
        PermissionUse u = new PermissionUse(permissions, node, registration);
        try {
            u.update(perm, shared);
        } catch (BlockException | RuntimeException e) {
            u.closeRegistration();
            throw e;
        }
        return u;
    }

    @Override
    public void update(int perm, int shared) throws BlockException {
        permissions.change(node, owner, new Grant(owner, "an unnamed block device", "root", perm, shared));
    }

    @Override
    public void close() {
        permissions.release(node, owner);
        closeRegistration();
    }

    private void closeRegistration() {
        try {
            registration.close();
        } catch (Exception e) {
            // removing a registration cannot fail
        }
    }
}
