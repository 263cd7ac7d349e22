package io.jsd.core.internal;

/** qemu's id_wellformed, shared by node names, object ids and export ids. */
public final class Ids {
    private Ids() {}

    /** An ASCII letter, then ASCII letters, digits, '-', '.' or '_'. */
    public static boolean wellFormed(String id) {
        if (id.isEmpty() || !isAlpha(id.charAt(0))) return false;
        for (int i = 1; i < id.length(); i++) {
            char c = id.charAt(i);
            if (!(isAlpha(c) || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_')) return false;
        }
        return true;
    }

    private static boolean isAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
}
