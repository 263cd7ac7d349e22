package io.jsd.core.internal.qmp;

/** One lexical token of QMP input; {@code text} is the token as written. */
record JsonToken(Type type, String text) {
    enum Type { LCURLY, RCURLY, LSQUARE, RSQUARE, COLON, COMMA, STRING, INTEGER, FLOAT, KEYWORD, ERROR }
}
