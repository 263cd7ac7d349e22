package io.jsd.core.internal.qmp;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.jsd.core.internal.qmp.JsonToken.Type;

/**
 * Builds a value from one message's tokens with qemu's json-parser messages ("JSON parse error,
 * invalid keyword 'x'", "duplicate key", "expecting value", ...). Single-quoted strings and the
 * \' escape are accepted, as qemu does.
 */
final class JsonParser {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    static final class ParseError extends Exception {
        private static final long serialVersionUID = 1L;

        ParseError(String message) { super("JSON parse error, " + message, null, false, false); }
    }

    private final List<JsonToken> tokens;
    private int pos;

    private JsonParser(List<JsonToken> tokens) { this.tokens = tokens; }

    static JsonNode parse(List<JsonToken> tokens) throws ParseError {
        JsonParser p = new JsonParser(tokens);
        return p.value();
    }

    private JsonToken peek() { return pos < tokens.size() ? tokens.get(pos) : null; }

    private JsonToken pop() throws ParseError {
        if (pos >= tokens.size()) throw new ParseError("premature EOI");
        return tokens.get(pos++);
    }

    private JsonNode value() throws ParseError {
        JsonToken t = peek();
        if (t == null) throw new ParseError("premature EOI");
        return switch (t.type()) {
            case LCURLY -> object();
            case LSQUARE -> array();
            case STRING -> F.textNode(string(pop()));
            case INTEGER -> JsonNumbers.integer(pop().ascii());
            case FLOAT -> F.numberNode(JsonNumbers.toDouble(pop().ascii()));
            case KEYWORD -> keyword(pop().ascii());
            default -> throw new ParseError("expecting value");
        };
    }

    private ObjectNode object() throws ParseError {
        pop();
        ObjectNode o = F.objectNode();
        JsonToken t = peek();
        if (t == null) throw new ParseError("premature EOI");
        if (t.type() == Type.RCURLY) { pop(); return o; }
        pair(o);
        t = pop();
        while (t.type() != Type.RCURLY) {
            if (t.type() != Type.COMMA) throw new ParseError("expected separator in dict");
            pair(o);
            t = pop();
        }
        return o;
    }

    private void pair(ObjectNode o) throws ParseError {
        if (peek() == null) throw new ParseError("premature EOI");
        JsonNode key = value();
        if (!key.isTextual()) throw new ParseError("key is not a string in object");
        if (pop().type() != Type.COLON) throw new ParseError("missing : in object pair");
        JsonNode v = value();
        if (o.has(key.textValue())) throw new ParseError("duplicate key");
        o.set(key.textValue(), v);
    }

    private ArrayNode array() throws ParseError {
        pop();
        ArrayNode a = F.arrayNode();
        JsonToken t = peek();
        if (t == null) throw new ParseError("premature EOI");
        if (t.type() == Type.RSQUARE) { pop(); return a; }
        a.add(value());
        t = pop();
        while (t.type() != Type.RSQUARE) {
            if (t.type() != Type.COMMA) throw new ParseError("expected separator in list");
            a.add(value());
            t = pop();
        }
        return a;
    }

    private static JsonNode keyword(String k) throws ParseError {
        return switch (k) {
            case "true" -> F.booleanNode(true);
            case "false" -> F.booleanNode(false);
            case "null" -> F.nullNode();
            default -> throw new ParseError("invalid keyword '" + k + "'");
        };
    }

    /**
     * A string token's value, decoded as qemu's parse_string does: escapes, then modified UTF-8
     * (invalid sequences, surrogates and noncharacters refused).
     */
    private static String string(JsonToken t) throws ParseError {
        byte[] b = t.bytes();
        int end = t.length() - 1;
        if (plainAscii(b, end)) return new String(b, 1, end - 1, java.nio.charset.StandardCharsets.ISO_8859_1);
        int i = 1;
        StringBuilder sb = new StringBuilder(end);
        int[] next = new int[1];
        while (i < end) {
            int c = b[i] & 0xFF;
            if (c >= 0x80) {
                int cp = ModifiedUtf8.codepoint(b, i, end, next);
                if (cp < 0) throw new ParseError("invalid UTF-8 sequence in string");
                sb.appendCodePoint(cp);
                i = next[0];
                continue;
            }
            i++;
            if (c != '\\') {
                sb.append((char) c);
                continue;
            }
            int e = b[i++];
            switch (e) {
                case '"' -> sb.append('"');
                case '\'' -> sb.append('\'');
                case '\\' -> sb.append('\\');
                case '/' -> sb.append('/');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    int start = i - 2;
                    int cp = hex4(b, i, t.length());
                    i += 4;
                    if (cp >= 0xD800 && cp <= 0xDBFF && i + 1 < t.length() && b[i] == '\\' && b[i + 1] == 'u') {
                        int low = hex4(b, i + 2, t.length());
                        if (low >= 0xDC00 && low <= 0xDFFF) {
                            cp = 0x10000 + ((cp & 0x3FF) << 10) + (low & 0x3FF);
                            i += 6;
                        } else {
                            cp = -1;
                        }
                    }
                    if (!ModifiedUtf8.validCodepoint(cp)) {
                        // qemu prints the escape as written (up to the token's end)
                        int stop = Math.min(i, t.length());
                        throw new ParseError(new String(b, start, stop - start, java.nio.charset.StandardCharsets.ISO_8859_1)
                                + " is not a valid Unicode character");
                    }
                    sb.appendCodePoint(cp);
                }
                default -> throw new ParseError("invalid escape sequence in string");
            }
        }
        return sb.toString();
    }

    private static boolean plainAscii(byte[] b, int end) {
        for (int i = 1; i < end; i++) {
            if (b[i] < 0 || b[i] == '\\') return false;
        }
        return true;
    }

    private static int hex4(byte[] s, int at, int end) {
        if (at + 4 > end) return -1;
        int v = 0;
        for (int k = 0; k < 4; k++) {
            int d = Character.digit(s[at + k], 16);
            if (d < 0) return -1;
            v = v << 4 | d;
        }
        return v;
    }
}
