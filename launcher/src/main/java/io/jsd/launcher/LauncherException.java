package io.jsd.launcher;

/** A start-up failure the launcher reports in one line and exits 1 for. */
final class LauncherException extends Exception {
    private static final long serialVersionUID = 1L;

    LauncherException(String message) { super(message); }
}
