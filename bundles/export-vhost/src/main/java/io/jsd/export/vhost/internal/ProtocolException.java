package io.jsd.export.vhost.internal;

import java.io.IOException;

/** The front-end sent something that breaks the protocol: the connection is closed. */
final class ProtocolException extends IOException {
    private static final long serialVersionUID = 1L;

    ProtocolException(String message) { super(message); }
}
