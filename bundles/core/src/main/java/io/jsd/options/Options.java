package io.jsd.options;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Typed, checked access to one options object, the same for QMP arguments (JSON, strictly typed)
 * and for command-line key=value options (every scalar is a string and is converted on access, as
 * qemu's keyval visitor does). Keys read are remembered so that {@link #checkAllUsed()} can reject
 * the unexpected ones with qemu's message.
 */
public final class Options {
    private final ObjectNode node;
    private final String prefix;
    private final boolean keyval;
    private final Set<String> used = new LinkedHashSet<>();

    /**
     * @param node   the object
     * @param prefix the path of this object in messages ("file." for a child), "" at the top
     * @param keyval true when the values came from key=value text (strings convert to numbers/bools)
     */
    public Options(ObjectNode node, String prefix, boolean keyval) {
        this.node = node;
        this.prefix = prefix;
        this.keyval = keyval;
    }

    public static Options of(ObjectNode node) { return new Options(node, "", false); }

    public ObjectNode json() { return node; }

    public boolean keyval() { return keyval; }

    /** The path of this object in messages ("file." for a child), "" at the top. */
    public String prefix() { return prefix; }

    public boolean has(String key) {
        JsonNode v = node.get(key);
        return v != null && !v.isNull();
    }

    /** Marks a key as handled without reading it. */
    public void markUsed(String key) { used.add(key); }

    public JsonNode raw(String key) {
        used.add(key);
        return node.get(key);
    }

    private String name(String key) { return prefix + key; }

    private OptionException typeError(String key, String expected) {
        return new OptionException("Invalid parameter type for '" + name(key) + "', expected: " + expected);
    }

    public OptionException missing(String key) {
        return new OptionException("Parameter '" + name(key) + "' is missing");
    }

    public String string(String key) {
        return optString(key).orElseThrow(() -> missing(key));
    }

    public String string(String key, String def) { return optString(key).orElse(def); }

    public Optional<String> optString(String key) {
        JsonNode v = raw(key);
        if (v == null || v.isNull()) return Optional.empty();
        if (!v.isTextual()) throw typeError(key, "string");
        return Optional.of(v.asText());
    }

    public boolean bool(String key, boolean def) { return optBool(key).orElse(def); }

    public Optional<Boolean> optBool(String key) {
        JsonNode v = raw(key);
        if (v == null || v.isNull()) return Optional.empty();
        if (v.isBoolean()) return Optional.of(v.booleanValue());
        if (keyval && v.isTextual()) {
            switch (v.asText()) {
                case "on", "yes", "true", "y" -> { return Optional.of(true); }
                case "off", "no", "false", "n" -> { return Optional.of(false); }
                default -> throw new OptionException("Parameter '" + name(key) + "' expects 'on' or 'off'");
            }
        }
        throw typeError(key, "boolean");
    }

    public long integer(String key) { return optInteger(key).orElseThrow(() -> missing(key)); }

    public long integer(String key, long def) { return optInteger(key).orElse(def); }

    public Optional<Long> optInteger(String key) {
        return number(key, "integer", Options::parseInteger);
    }

    /** A QAPI 'size': like an integer, but key=value text may carry a suffix (64k, 1M, 2G). */
    public long size(String key) { return optSize(key).orElseThrow(() -> missing(key)); }

    public long size(String key, long def) { return optSize(key).orElse(def); }

    public Optional<Long> optSize(String key) {
        return number(key, "size", Options::parseSize);
    }

    private Optional<Long> number(String key, String type, java.util.function.ToLongFunction<String> parse) {
        JsonNode v = raw(key);
        if (v == null || v.isNull()) return Optional.empty();
        if (v.isIntegralNumber() && v.canConvertToLong()) return Optional.of(v.longValue());
        if (keyval && v.isTextual()) {
            try {
                return Optional.of(parse.applyAsLong(v.asText()));
            } catch (NumberFormatException | ArithmeticException e) {
                throw new OptionException("Parameter '" + name(key) + "' expects " + type);
            }
        }
        throw typeError(key, type);
    }

    /** A key=value integer as qemu's strtoi64 with base 0 reads it: decimal, 0x hex or 0 octal, with a sign. */
    public static long parseInteger(String s) {
        String t = s.trim();
        boolean neg = t.startsWith("-");
        String digits = neg || t.startsWith("+") ? t.substring(1) : t;
        if (digits.isEmpty() || digits.startsWith("-") || digits.startsWith("+")) throw new NumberFormatException(s);
        long v;
        if (digits.startsWith("0x") || digits.startsWith("0X")) v = Long.parseUnsignedLong(digits.substring(2), 16);
        else if (digits.length() > 1 && digits.startsWith("0")) v = Long.parseLong(digits.substring(1), 8);
        else v = Long.parseLong(digits);
        return neg ? -v : v;
    }

    /** An enum-like string restricted to {@code allowed}; qemu's message names the value. */
    public String choice(String key, String def, String... allowed) {
        Optional<String> v = optString(key);
        if (v.isEmpty()) return def;
        for (String a : allowed) if (a.equals(v.get())) return a;
        throw new OptionException("Parameter '" + name(key) + "' does not accept value '" + v.get() + "'");
    }

    /** A nested object as its own Options (for "cache", "addr", ...); null when absent. */
    public Options child(String key) {
        JsonNode v = raw(key);
        if (v == null || v.isNull()) return null;
        if (!v.isObject()) throw typeError(key, "object");
        return new Options((ObjectNode) v, prefix + key + ".", keyval);
    }

    /** Elements of a list option; a key=value list arrives as an object {"0":..,"1":..} or an array. */
    public List<JsonNode> list(String key) {
        JsonNode v = raw(key);
        List<JsonNode> out = new ArrayList<>();
        if (v == null || v.isNull()) return out;
        if (v.isArray()) v.forEach(out::add);
        else if (keyval && v.isObject()) {
            for (int i = 0; v.has(Integer.toString(i)); i++) out.add(v.get(Integer.toString(i)));
        } else throw typeError(key, "array");
        return out;
    }

    /** Throws qemu's "Parameter 'x' is unexpected" for the first key nobody read. */
    public void checkAllUsed() {
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
            String k = it.next().getKey();
            if (!used.contains(k)) throw new OptionException("Parameter '" + name(k) + "' is unexpected");
        }
    }

    /** Parses "512", "64k", "1M", "2G", "1T" the way qemu sizes are written. */
    public static long parseSize(String s) {
        String t = s.trim();
        if (t.isEmpty()) throw new NumberFormatException(s);
        char last = Character.toLowerCase(t.charAt(t.length() - 1));
        int shift = switch (last) {
            case 'b' -> 0;
            case 'k' -> 10;
            case 'm' -> 20;
            case 'g' -> 30;
            case 't' -> 40;
            case 'p' -> 50;
            case 'e' -> 60;
            default -> -1;
        };
        if (shift < 0) {
            return t.startsWith("0x") || t.startsWith("0X") ? Long.parseUnsignedLong(t.substring(2), 16) : Long.parseLong(t);
        }
        String num = t.substring(0, t.length() - 1);
        if (num.contains(".")) return (long) (Double.parseDouble(num) * (1L << shift));
        return Math.multiplyExact(Long.parseLong(num), 1L << shift);
    }
}
