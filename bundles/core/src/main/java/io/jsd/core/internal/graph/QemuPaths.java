package io.jsd.core.internal.graph;

/**
 * qemu's filename arithmetic (util/cutils.c, block.c): which names carry a protocol prefix, and
 * how a relative backing file name is joined to the directory of the image that names it.
 */
final class QemuPaths {
    private QemuPaths() {}

    /** qemu's path_has_protocol: a ':' comes before any '/' ("nbd:...", "json:{...}", "file:x"). */
    static boolean hasProtocol(String path) {
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == ':') return true;
            if (c == '/') return false;
        }
        return false;
    }

    /** The protocol prefix of {@code path} without the colon; only when {@link #hasProtocol}. */
    static String protocol(String path) { return path.substring(0, path.indexOf(':')); }

    /** qemu's path_is_absolute (POSIX). */
    static boolean isAbsolute(String path) { return path.startsWith("/"); }

    /**
     * qemu's path_combine: {@code name} relative to the directory part of {@code base} (what comes
     * up to its last '/', and never into its protocol prefix).
     */
    static String combine(String base, String name) {
        if (isAbsolute(name)) return name;
        int p = hasProtocol(base) ? base.indexOf(':') + 1 : 0;
        int slash = base.lastIndexOf('/') + 1;
        return base.substring(0, Math.max(p, slash)) + name;
    }
}
