package io.jsd.export.vhost.internal;

/** The guest broke the virtqueue protocol: the device stops using that queue (the spec's "needs reset"). */
public final class VirtqueueException extends Exception {
    private static final long serialVersionUID = 1L;

    public VirtqueueException(String message) { super(message); }
}
