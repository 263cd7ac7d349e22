package io.jsd.core.internal.qmp;

import java.nio.charset.StandardCharsets;

/**
 * One lexical token of QMP input: its raw bytes as written ({@code length} of {@code bytes}; a
 * large token keeps the lexer's buffer rather than a copy). Structural tokens are shared constants.
 */
record JsonToken(Type type, byte[] bytes, int length) {
    enum Type { LCURLY, RCURLY, LSQUARE, RSQUARE, COLON, COMMA, STRING, INTEGER, FLOAT, KEYWORD, ERROR, OVERSIZE }

    static final JsonToken LCURLY = of(Type.LCURLY, '{');
    static final JsonToken RCURLY = of(Type.RCURLY, '}');
    static final JsonToken LSQUARE = of(Type.LSQUARE, '[');
    static final JsonToken RSQUARE = of(Type.RSQUARE, ']');
    static final JsonToken COLON = of(Type.COLON, ':');
    static final JsonToken COMMA = of(Type.COMMA, ',');

    private static JsonToken of(Type t, char c) { return new JsonToken(t, new byte[] {(byte) c}, 1); }

    /** The token as text, for ASCII tokens (numbers, keywords). */
    String ascii() { return new String(bytes, 0, length, StandardCharsets.ISO_8859_1); }

    /** The token as qemu prints it in a message (a C string: up to a NUL; bad UTF-8 as U+FFFD). */
    String printable() { return ModifiedUtf8.lenient(bytes, 0, length); }
}
