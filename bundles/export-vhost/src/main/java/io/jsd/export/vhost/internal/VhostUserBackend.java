package io.jsd.export.vhost.internal;

/**
 * What a vhost-user device offers the protocol layer (rust-vmm's backend trait): feature bits,
 * config space, and the processing of one descriptor chain. The protocol layer owns the
 * connection and the rings; the device owns the semantics of a request.
 */
public interface VhostUserBackend {
    /** Virtio feature bits offered (VHOST_USER_F_PROTOCOL_FEATURES is added by the protocol layer). */
    long features();

    int numQueues();

    /** The current config space (e.g. capacity follows the node's size). */
    byte[] config();

    /** A front-end write into config space; false refuses it. */
    boolean setConfig(int offset, byte[] data);

    /**
     * Executes one request; returns the number of bytes written into the chain's writable buffers
     * (the used length). Runs on a request thread, many at once; never throws.
     */
    int process(DescriptorChain chain);

    /** The front-end is gone and every request has completed. */
    default void disconnected() {}
}
