package io.jsd.block;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** A node as the graph knows it: its name, driver, options and the I/O interface core wraps around the driver. */
@ProviderType
public interface NodeHandle {
    String nodeName();

    String driver();

    /** The options it was opened with (as given, children as given). */
    ObjectNode options();

    boolean readOnly();

    /** The normalised I/O interface: bounds, alignment, emulation and read-only checks happen here. */
    BlockNode io();

    /** The driver's own capabilities after core's normalisation (zero and FUA emulated where needed). */
    Capabilities capabilities();

    List<NodeChild> children();

    /** True when the driver of this node is installed and the node is open. */
    boolean available();

    /**
     * Registers a user of this node (an export, a job, a parent): blockdev-del refuses a node with
     * users. Close the returned handle to release. Name jobs {@code "job <type>"} (e.g. "job mirror")
     * so blockdev-del gives qemu's "Node 'x' is busy: block device is in use by block job: mirror";
     * any other user gets "Node x is in use".
     */
    AutoCloseable use(String who) throws BlockException;

    /**
     * Registers a user as {@link #use(String)} does that also holds {@code perm} and shares only
     * {@code shared} (bits of {@link Permission}) on this node. Throws, registering nothing, when
     * another user of the node does not share what this one needs, this one does not share what
     * another holds, the node is read-only and {@code perm} writes, or another process holds the
     * image (the driver's locks). Exports hold CONSISTENT_READ (+WRITE when writable).
     */
    default NodeUse use(String who, int perm, int shared) throws BlockException {
        AutoCloseable plain = use(who);
        return new NodeUse() {
            @Override public void update(int p, int s) {}
            @Override public void close() {
                try {
                    plain.close();
                } catch (Exception e) {
                    // releasing a registration cannot fail
                }
            }
        };
    }

    /** query-named-block-nodes entry in qemu's shape. */
    ObjectNode describe();

    /**
     * query-named-block-nodes entry; {@code flat=false} nests the backing chain's images under
     * "backing-image" and counts backing_file_depth, as qemu does.
     */
    default ObjectNode describe(boolean flat) { return describe(); }

    /** I/O counters in the shape of qemu's BlockDeviceStats (query-blockstats), or null if not kept. */
    default ObjectNode stats() { return null; }
}
