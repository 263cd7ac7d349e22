package io.jsd.core.internal.qmp;

import java.math.BigDecimal;
import java.math.BigInteger;
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
            case STRING -> F.textNode(string(pop().text()));
            case INTEGER -> integer(pop().text());
            case FLOAT -> F.numberNode(Double.parseDouble(pop().text()));
            case KEYWORD -> keyword(pop().text());
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

    private static JsonNode integer(String s) {
        BigInteger v = new BigInteger(s);
        if (v.bitLength() < 64) return F.numberNode(v.longValue());
        if (v.signum() > 0 && v.bitLength() == 64) return F.numberNode(v);
        return F.numberNode(new BigDecimal(v).doubleValue());
    }

    private static String string(String token) throws ParseError {
        StringBuilder sb = new StringBuilder(token.length());
        int i = 1;
        int end = token.length() - 1;
        while (i < end) {
            char c = token.charAt(i++);
            if (c != '\\') { sb.append(c); continue; }
            char e = token.charAt(i++);
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
                    int cp = hex4(token, i);
                    i += 4;
                    if (cp >= 0xD800 && cp <= 0xDBFF && token.startsWith("\\u", i)) {
                        int low = hex4(token, i + 2);
                        if (low >= 0xDC00 && low <= 0xDFFF) {
                            cp = 0x10000 + ((cp & 0x3FF) << 10) + (low & 0x3FF);
                            i += 6;
                        } else cp = -1;
                    }
                    if (cp < 0 || cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF)) {
                        throw new ParseError(token.substring(Math.max(1, i - 6), Math.min(i, token.length() - 1)) + " is not a valid Unicode character");
                    }
                    sb.appendCodePoint(cp);
                }
                default -> throw new ParseError("invalid escape sequence in string");
            }
        }
        return sb.toString();
    }

    private static int hex4(String s, int at) {
        if (at + 4 > s.length()) return -1;
        int v = 0;
        for (int k = 0; k < 4; k++) {
            int d = Character.digit(s.charAt(at + k), 16);
            if (d < 0) return -1;
            v = v << 4 | d;
        }
        return v;
    }
}
