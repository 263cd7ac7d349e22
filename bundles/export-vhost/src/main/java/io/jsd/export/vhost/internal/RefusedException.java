package io.jsd.export.vhost.internal;

/** A well-formed request this back-end does not grant: answered with a failure, the connection stays. */
final class RefusedException extends Exception {
    private static final long serialVersionUID = 1L;

    RefusedException(String message) { super(message); }
}
