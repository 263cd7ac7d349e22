package io.jsd.plugins.internal;

/** A plugin operation refused or failed; the message is what the operator reads (QMP desc, log line). */
final class PluginException extends Exception {
    private static final long serialVersionUID = 1L;

    PluginException(String message) { super(message); }

    PluginException(String message, Throwable cause) { super(message, cause); }
}
