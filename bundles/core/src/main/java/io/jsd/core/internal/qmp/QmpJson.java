package io.jsd.core.internal.qmp;

import java.io.IOException;
import java.io.StringWriter;
import java.util.Iterator;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * Writes JSON the way qemu's monitor does: {@code {"return": {}, "id": 1}} with ", " and ": "
 * separators on one line, or qemu's pretty form (4-space indent, an empty object as "{" newline
 * "}") for {@code pretty=on}. Non-ASCII is
 * escaped as {@code \\uXXXX}, as qemu does.
 */
final class QmpJson {
    private static final JsonFactory FACTORY = JsonFactory.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();

    private QmpJson() {}

    static String write(JsonNode node, boolean pretty) {
        StringBuilder out = new StringBuilder();
        write(out, node, pretty, 0);
        return out.toString();
    }

    private static void write(StringBuilder out, JsonNode node, boolean pretty, int depth) {
        if (node == null || node.isNull()) {
            out.append("null");
        } else if (node.isObject()) {
            if (node.isEmpty()) {
                out.append('{');
                close(out, pretty, depth);
                out.append('}');
                return;
            }
            out.append('{');
            Iterator<Map.Entry<String, JsonNode>> it = node.fields();
            boolean first = true;
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!first) out.append(',');
                separator(out, pretty, depth + 1, first);
                first = false;
                string(out, e.getKey());
                out.append(": ");
                write(out, e.getValue(), pretty, depth + 1);
            }
            close(out, pretty, depth);
            out.append('}');
        } else if (node.isArray()) {
            if (node.isEmpty()) {
                out.append('[');
                close(out, pretty, depth);
                out.append(']');
                return;
            }
            out.append('[');
            boolean first = true;
            for (JsonNode v : node) {
                if (!first) out.append(',');
                separator(out, pretty, depth + 1, first);
                first = false;
                write(out, v, pretty, depth + 1);
            }
            close(out, pretty, depth);
            out.append(']');
        } else if (node.isTextual()) {
            string(out, node.textValue());
        } else if (node.isFloatingPointNumber()) {
            out.append(CDouble.format(node.doubleValue()));
        } else {
            out.append(node.toString());
        }
    }

    private static void separator(StringBuilder out, boolean pretty, int depth, boolean first) {
        if (pretty) {
            out.append('\n').append("    ".repeat(depth));
        } else if (!first) {
            out.append(' ');
        }
    }

    private static void close(StringBuilder out, boolean pretty, int depth) {
        if (pretty) out.append('\n').append("    ".repeat(depth));
    }

    static void string(StringBuilder out, String s) {
        StringWriter w = new StringWriter(s.length() + 2);
        try (JsonGenerator g = FACTORY.createGenerator(w)) {
            g.writeString(s);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        out.append(w);
    }
}
