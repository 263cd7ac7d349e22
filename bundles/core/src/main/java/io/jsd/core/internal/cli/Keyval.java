package io.jsd.core.internal.cli;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.jsd.options.OptionException;

/**
 * qemu's keyval syntax, used by --blockdev, --export, --object and --nbd-server:
 * {@code [implied=]value,key=value,a.b=value}; ",," is a literal comma; dotted keys build nested
 * objects; a repeated key keeps its last value; every value stays a string (Options converts on
 * access, like qemu's keyval visitor). Lists are objects with keys "0", "1", ....
 */
public final class Keyval {
    private Keyval() {}

    /** The result of a parse: the options, or a help request ("help" or "TYPE,help"). */
    public record Parsed(ObjectNode options, boolean help) {}

    public static Parsed parse(String text, String impliedKey) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        boolean help = false;
        List<String> parts = split(text);
        for (int i = 0; i < parts.size(); i++) {
            String part = parts.get(i);
            int eq = part.indexOf('=');
            if (eq < 0) {
                if (part.equals("help") || part.equals("?")) { help = true; continue; }
                if (i == 0 && impliedKey != null && !part.isEmpty()) {
                    put(root, impliedKey, part);
                    continue;
                }
                if (part.isEmpty()) throw new OptionException("Invalid parameter ''");
                if (!validKey(part)) throw new OptionException("Invalid parameter '" + part + "'");
                throw new OptionException("Expected '=' after parameter '" + part + "'");
            }
            String key = part.substring(0, eq);
            if (key.isEmpty() || !validKey(key)) throw new OptionException("Invalid parameter '" + key + "'");
            put(root, key, part.substring(eq + 1));
        }
        return new Parsed(root, help);
    }

    private static boolean validKey(String key) {
        for (String seg : key.split("\\.", -1)) {
            if (seg.isEmpty()) return false;
            for (int i = 0; i < seg.length(); i++) {
                char c = seg.charAt(i);
                if (!(Character.isLetterOrDigit(c) || c == '-' || c == '_')) return false;
            }
        }
        return true;
    }

    /** Splits at single commas; ",," stands for a comma inside a value. */
    static List<String> split(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == ',') {
                if (i + 1 < text.length() && text.charAt(i + 1) == ',') {
                    cur.append(',');
                    i++;
                    continue;
                }
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }

    private static void put(ObjectNode root, String key, String value) {
        String[] segs = key.split("\\.");
        ObjectNode obj = root;
        StringBuilder path = new StringBuilder();
        for (int i = 0; i < segs.length - 1; i++) {
            if (path.length() > 0) path.append('.');
            path.append(segs[i]);
            JsonNode child = obj.get(segs[i]);
            if (child == null) {
                obj = obj.putObject(segs[i]);
            } else if (child.isObject()) {
                obj = (ObjectNode) child;
            } else {
                throw new OptionException("Parameters '" + path + ".*' used inconsistently");
            }
        }
        String last = segs[segs.length - 1];
        JsonNode old = obj.get(last);
        if (old != null && old.isObject()) {
            String p = path.length() > 0 ? path + "." + last : last;
            throw new OptionException("Parameters '" + p + ".*' used inconsistently");
        }
        obj.put(last, value);
    }
}
