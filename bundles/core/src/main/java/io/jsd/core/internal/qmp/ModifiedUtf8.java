package io.jsd.core.internal.qmp;

/**
 * qemu's reading of QMP bytes (util/unicode.c): UTF-8 where {@code C0 80} stands for U+0000, and
 * overlong forms, surrogates, code points past U+10FFFF and the noncharacters (U+FDD0..U+FDEF and
 * every U+xxFFFE / U+xxFFFF) are invalid.
 */
final class ModifiedUtf8 {
    private static final int[] MIN_CODEPOINT = {0x80, 0x800, 0x10000, 0x200000, 0x4000000};

    private ModifiedUtf8() {}

    static boolean validCodepoint(int cp) {
        if (cp < 0 || cp > 0x10FFFF) return false;
        if ((cp & 0xFFFFF800) == 0xD800) return false;
        if (cp >= 0xFDD0 && cp <= 0xFDEF) return false;
        return (cp & 0xFFFE) != 0xFFFE;
    }

    /**
     * Decodes the sequence at {@code b[at]} (which must be before {@code end}); returns the code point,
     * or -1 if it is invalid, and stores in {@code next[0]} where the following sequence starts (an
     * invalid sequence ends where it first went wrong, as qemu's mod_utf8_codepoint).
     */
    static int codepoint(byte[] b, int at, int end, int[] next) {
        int p = at;
        int lead = b[p++] & 0xFF;
        int cp;
        if (lead < 0x80) {
            cp = lead;
        } else if (lead >= 0xFE || (lead & 0x40) == 0) {
            cp = -1;
        } else {
            int len = 0;
            int mask = 0x80;
            for (; (lead & mask) != 0; mask >>= 1) len++;
            cp = lead & (mask - 1);
            for (int i = 1; i < len; i++) {
                int c = p < end ? b[p] & 0xFF : 0;
                if ((c & 0xC0) != 0x80) {
                    next[0] = p;
                    return -1;
                }
                p++;
                cp = cp << 6 | (c & 0x3F);
            }
            if (!validCodepoint(cp)) cp = -1;
            else if (cp < MIN_CODEPOINT[len - 2] && !(cp == 0 && len == 2)) cp = -1;
        }
        next[0] = p;
        return cp;
    }

    /**
     * Text of raw bytes as qemu writes them into a reply: up to the first NUL (a C string), each
     * invalid sequence as U+FFFD.
     */
    static String lenient(byte[] b, int off, int len) {
        StringBuilder sb = new StringBuilder(len);
        int end = off + len;
        int[] next = new int[1];
        for (int p = off; p < end && b[p] != 0; p = next[0]) {
            int cp = codepoint(b, p, end, next);
            sb.appendCodePoint(cp < 0 ? 0xFFFD : cp);
        }
        return sb.toString();
    }
}
