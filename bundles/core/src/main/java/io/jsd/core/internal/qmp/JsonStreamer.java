package io.jsd.core.internal.qmp;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

import io.jsd.core.internal.qmp.JsonToken.Type;

/**
 * Splits a QMP byte stream into messages the way qemu's json-lexer / json-streamer do: messages
 * need no newline between them, may span lines, and a bad token costs only the message it is in.
 * Each call to {@link #next()} returns the tokens of one message, or an error message, or null at
 * end of input. The limits are qemu's: 64 MiB per message, 2 Mi tokens, nesting 1024; past one,
 * the message so far is dropped and lexing starts afresh, as in qemu.
 */
final class JsonStreamer {
    static final long MAX_MESSAGE_CHARS = 64L << 20;
    static final int MAX_TOKENS = 2 << 20;
    static final int MAX_NESTING = 1 << 10;

    /** Either tokens of one complete top-level value, or an error text. */
    record Message(List<JsonToken> tokens, String error) {}

    private final Reader in;
    private int pending = -2;
    private boolean recovering;

    private final boolean flushAtEof;

    /** @param flushAtEof hand an unfinished message to the parser at end of input (qemu's flush), for option text */
    JsonStreamer(Reader in, boolean flushAtEof) {
        this.in = in;
        this.flushAtEof = flushAtEof;
    }

    Message next() throws IOException {
        List<JsonToken> tokens = new ArrayList<>();
        int braces = 0, brackets = 0;
        long size = 0;
        while (true) {
            JsonToken t = token();
            if (t == null) return flushAtEof && !tokens.isEmpty() ? new Message(tokens, null) : null;
            switch (t.type()) {
                case LCURLY -> braces++;
                case RCURLY -> braces--;
                case LSQUARE -> brackets++;
                case RSQUARE -> brackets--;
                default -> { }
            }
            if (t.type() == Type.ERROR) return new Message(null, "JSON parse error, stray '" + t.text() + "'");
            tokens.add(t);
            size += t.text().length();
            if (braces < 0 || brackets < 0 || (braces == 0 && brackets == 0)) return new Message(tokens, null);
            if (size > MAX_MESSAGE_CHARS) return new Message(null, "JSON token size limit exceeded");
            if (tokens.size() > MAX_TOKENS) return new Message(null, "JSON token count limit exceeded");
            if (braces + brackets > MAX_NESTING) return new Message(null, "JSON nesting depth limit exceeded");
        }
    }

    private int read() throws IOException {
        if (pending != -2) {
            int c = pending;
            pending = -2;
            return c;
        }
        return in.read();
    }

    private void unread(int c) { pending = c; }

    /** The next token, or null at end of input. */
    private JsonToken token() throws IOException {
        JsonToken t = lex();
        recovering = t != null && t.type() == Type.ERROR;
        return t;
    }

    /**
     * After an error qemu's lexer skips to a point where it can resynchronise: a structural
     * character, a control character other than tab, or an impossible UTF-8 byte (here U+FFFD).
     */
    private boolean skipToResync() throws IOException {
        while (true) {
            int c = read();
            if (c < 0) return false;
            if ((c < 0x20 && c != '\t') || c == 0xFFFD || c == '[' || c == ']' || c == '{' || c == '}' || c == ':' || c == ',') {
                unread(c);
                return true;
            }
        }
    }

    private JsonToken lex() throws IOException {
        if (recovering && !skipToResync()) return null;
        int c;
        do {
            c = read();
            if (c < 0) return null;
        } while (c == ' ' || c == '\t' || c == '\r' || c == '\n');
        switch (c) {
            case '{': return new JsonToken(Type.LCURLY, "{");
            case '}': return new JsonToken(Type.RCURLY, "}");
            case '[': return new JsonToken(Type.LSQUARE, "[");
            case ']': return new JsonToken(Type.RSQUARE, "]");
            case ':': return new JsonToken(Type.COLON, ":");
            case ',': return new JsonToken(Type.COMMA, ",");
            case '"', '\'': return string((char) c);
            default: break;
        }
        if (c == '-' || (c >= '0' && c <= '9')) return number((char) c);
        if (c >= 'a' && c <= 'z') {
            StringBuilder sb = new StringBuilder().append((char) c);
            while (true) {
                int d = read();
                if (d >= 'a' && d <= 'z') sb.append((char) d);
                else { unread(d); break; }
            }
            return new JsonToken(Type.KEYWORD, sb.toString());
        }
        return new JsonToken(Type.ERROR, new String(Character.toChars(c)));
    }

    /** A quoted string, kept with its quotes and escapes; {@link JsonParser} decodes it. */
    private JsonToken string(char quote) throws IOException {
        StringBuilder sb = new StringBuilder().append(quote);
        while (true) {
            int c = read();
            if (c < 0) return null;
            if (c < 0x20) return new JsonToken(Type.ERROR, sb.append((char) c).toString());
            sb.append((char) c);
            if (c == quote) return new JsonToken(Type.STRING, sb.toString());
            if (c == '\\') {
                int e = read();
                if (e < 0) return null;
                sb.append((char) e);
            }
            if (sb.length() > MAX_MESSAGE_CHARS) return new JsonToken(Type.ERROR, quote + "...");
        }
    }

    private JsonToken number(char first) throws IOException {
        StringBuilder sb = new StringBuilder().append(first);
        boolean isFloat = false;
        while (true) {
            int c = read();
            if ((c >= '0' && c <= '9') || c == '-' || c == '+') sb.append((char) c);
            else if (c == '.' || c == 'e' || c == 'E') { sb.append((char) c); isFloat = true; }
            else { unread(c); break; }
        }
        String s = sb.toString();
        if (!s.matches("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][-+]?[0-9]+)?")) return new JsonToken(Type.ERROR, s);
        return new JsonToken(isFloat ? Type.FLOAT : Type.INTEGER, s);
    }
}
