package io.jsd.nbd.internal;

import java.io.IOException;

/** The peer broke a MUST of the protocol: the connection is dropped (a hard disconnect). */
final class ProtocolException extends IOException {
    private static final long serialVersionUID = 1L;

    ProtocolException(String message) { super(message); }
}
