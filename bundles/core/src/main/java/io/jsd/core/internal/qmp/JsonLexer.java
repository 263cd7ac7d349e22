package io.jsd.core.internal.qmp;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

import io.jsd.core.internal.qmp.JsonToken.Type;

/**
 * qemu's JSON lexer (qobject/json-lexer.c) over raw bytes: the same states, so the same tokens and
 * the same error tokens (the byte that went wrong is part of the error token). After an error it
 * skips to a structural character, a control character other than tab, or byte FE / FF. Every
 * token is scanned once, in linear time; one token may not exceed 64 MiB: past that it is handed on
 * as {@link Type#OVERSIZE} and lexing restarts where it stands, as in qemu.
 */
final class JsonLexer {
    static final int MAX_TOKEN_SIZE = 64 << 20;
    private static final int SMALL = 4096;

    private enum State { START, RECOVERY, DQ, DQ_ESC, SQ, SQ_ESC, ZERO, DIGITS, SIGN, MANTISSA, MANTISSA_DIGITS, EXP_E, EXP_SIGN, EXP_DIGITS, KEYWORD }

    private final InputStream in;
    private final boolean flushAtEof;
    private final byte[] buf = new byte[65536];
    private int pos;
    private int limit;
    private boolean eof;
    private boolean recovering;
    private byte[] token = new byte[64];
    private int len;

    /** @param flushAtEof at end of input, finish the token being read (qemu's json_lexer_flush) */
    JsonLexer(InputStream in, boolean flushAtEof) {
        this.in = in;
        this.flushAtEof = flushAtEof;
    }

    /** The next byte without taking it, or -1 at end of input. */
    private int peek() throws IOException {
        while (pos == limit) {
            if (eof) return -1;
            int n = in.read(buf, 0, buf.length);
            if (n < 0) {
                eof = true;
                return -1;
            }
            pos = 0;
            limit = n;
        }
        return buf[pos] & 0xFF;
    }

    private void take(int c) {
        pos++;
        if (len == token.length) token = Arrays.copyOf(token, (int) Math.min((long) len * 2, MAX_TOKEN_SIZE + 1L));
        token[len++] = (byte) c;
    }

    private JsonToken emit(Type type) {
        JsonToken t;
        if (len > SMALL) {
            t = new JsonToken(type, token, len);
            token = new byte[64];
        } else {
            t = new JsonToken(type, Arrays.copyOf(token, len), len);
        }
        len = 0;
        if (type == Type.ERROR) recovering = true;
        return t;
    }

    private static boolean digit(int c) { return c >= '0' && c <= '9'; }

    /** The next token, an ERROR token, an OVERSIZE token, or null at end of input. */
    JsonToken next() throws IOException {
        State s = recovering ? State.RECOVERY : State.START;
        recovering = false;
        len = 0;
        while (true) {
            int c = peek();
            if (c < 0) return atEnd(s);
            switch (s) {
                case RECOVERY -> {
                    if ((c < 0x20 && c != '\t') || c >= 0xFE || c == '[' || c == ']' || c == '{' || c == '}' || c == ':' || c == ',') {
                        s = State.START;
                    } else {
                        pos++;
                    }
                    continue;
                }
                case START -> {
                    switch (c) {
                        case ' ', '\t', '\r', '\n' -> { pos++; continue; }
                        case '{' -> { pos++; return JsonToken.LCURLY; }
                        case '}' -> { pos++; return JsonToken.RCURLY; }
                        case '[' -> { pos++; return JsonToken.LSQUARE; }
                        case ']' -> { pos++; return JsonToken.RSQUARE; }
                        case ':' -> { pos++; return JsonToken.COLON; }
                        case ',' -> { pos++; return JsonToken.COMMA; }
                        case '"' -> s = State.DQ;
                        case '\'' -> s = State.SQ;
                        case '0' -> s = State.ZERO;
                        case '-' -> s = State.SIGN;
                        default -> {
                            if (digit(c)) s = State.DIGITS;
                            else if (c >= 'a' && c <= 'z') s = State.KEYWORD;
                            else return error(c);
                        }
                    }
                    take(c);
                }
                case DQ, SQ -> {
                    if (c < 0x20 || c >= 0xFE) return error(c);
                    take(c);
                    if (c == '\\') s = s == State.DQ ? State.DQ_ESC : State.SQ_ESC;
                    else if (c == (s == State.DQ ? '"' : '\'')) return emit(Type.STRING);
                }
                case DQ_ESC, SQ_ESC -> {
                    if (c < 0x20 || c >= 0xFE) return error(c);
                    take(c);
                    s = s == State.DQ_ESC ? State.DQ : State.SQ;
                }
                case ZERO -> {
                    if (digit(c)) return error(c);
                    if (c != '.') return emit(Type.INTEGER);
                    take(c);
                    s = State.MANTISSA;
                }
                case DIGITS -> {
                    if (digit(c)) take(c);
                    else if (c == 'e' || c == 'E') { take(c); s = State.EXP_E; }
                    else if (c == '.') { take(c); s = State.MANTISSA; }
                    else return emit(Type.INTEGER);
                }
                case SIGN -> {
                    if (!digit(c)) return error(c);
                    take(c);
                    s = c == '0' ? State.ZERO : State.DIGITS;
                }
                case MANTISSA -> {
                    if (!digit(c)) return error(c);
                    take(c);
                    s = State.MANTISSA_DIGITS;
                }
                case MANTISSA_DIGITS -> {
                    if (digit(c)) take(c);
                    else if (c == 'e' || c == 'E') { take(c); s = State.EXP_E; }
                    else return emit(Type.FLOAT);
                }
                case EXP_E -> {
                    if (c == '+' || c == '-') { take(c); s = State.EXP_SIGN; }
                    else if (digit(c)) { take(c); s = State.EXP_DIGITS; }
                    else return error(c);
                }
                case EXP_SIGN -> {
                    if (!digit(c)) return error(c);
                    take(c);
                    s = State.EXP_DIGITS;
                }
                case EXP_DIGITS -> {
                    if (digit(c)) take(c);
                    else return emit(Type.FLOAT);
                }
                case KEYWORD -> {
                    if (c >= 'a' && c <= 'z') take(c);
                    else return emit(Type.KEYWORD);
                }
            }
            if (len > MAX_TOKEN_SIZE) return emit(Type.OVERSIZE);
        }
    }

    /** Drops the token being read and skips to the next point where lexing can resume (after running out of memory). */
    void abandon() {
        token = new byte[64];
        len = 0;
        recovering = true;
    }

    /** The offending byte belongs to the error token. */
    private JsonToken error(int c) {
        take(c);
        return emit(Type.ERROR);
    }

    private JsonToken atEnd(State s) {
        if (s == State.START || s == State.RECOVERY || !flushAtEof) return null;
        return switch (s) {
            case ZERO, DIGITS -> emit(Type.INTEGER);
            case MANTISSA_DIGITS, EXP_DIGITS -> emit(Type.FLOAT);
            case KEYWORD -> emit(Type.KEYWORD);
            default -> emit(Type.ERROR);
        };
    }
}
