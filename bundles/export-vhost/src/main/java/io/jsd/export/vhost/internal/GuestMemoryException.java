package io.jsd.export.vhost.internal;

/** A guest address or length that does not lie inside the front-end's memory regions. */
public final class GuestMemoryException extends Exception {
    private static final long serialVersionUID = 1L;

    public GuestMemoryException(String message) { super(message); }
}
