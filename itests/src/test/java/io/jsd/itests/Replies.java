package io.jsd.itests;

import java.util.Iterator;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

/**
 * Makes JSD's and QSD's replies comparable: drops what legitimately differs (version strings,
 * timestamps, the daemon's temp dir, generated node names) and, for "shape" steps, keeps only the
 * structure (keys and JSON types).
 */
final class Replies {
    private Replies() {}

    static JsonNode normalize(JsonNode n, String dir) {
        if (n == null) return null;
        if (n.isObject()) {
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            Iterator<Map.Entry<String, JsonNode>> it = n.properties().iterator();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                switch (e.getKey()) {
                    case "timestamp" -> { }
                    case "package" -> out.put("package", "<package>");
                    case "qemu" -> out.put("qemu", "<version>");
                    default -> out.set(e.getKey(), normalize(e.getValue(), dir));
                }
            }
            return out;
        }
        if (n.isArray()) {
            ArrayNode out = JsonNodeFactory.instance.arrayNode();
            n.forEach(v -> out.add(normalize(v, dir)));
            return out;
        }
        if (n.isTextual()) {
            String s = n.textValue().replace(dir, "<dir>").replaceAll("#block[0-9]+", "#block");
            return TextNode.valueOf(s);
        }
        return n;
    }

    /** Keys and JSON types only; arrays keep their first element's shape. */
    static JsonNode shape(JsonNode n) {
        if (n.isObject()) {
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            n.properties().forEach(e -> out.set(e.getKey(), shape(e.getValue())));
            return out;
        }
        if (n.isArray()) {
            ArrayNode out = JsonNodeFactory.instance.arrayNode();
            if (!n.isEmpty()) out.add(shape(n.get(0)));
            return out;
        }
        return TextNode.valueOf(n.getNodeType().name());
    }
}
