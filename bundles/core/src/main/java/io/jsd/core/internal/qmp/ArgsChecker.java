package io.jsd.core.internal.qmp;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.jsd.options.OptionException;
import io.jsd.options.Options;
import io.jsd.options.OptionsSchema;
import io.jsd.options.QapiType;

/**
 * Checks arguments against their declared type before a command runs, the way qemu's generated
 * visitors walk them with the QObject input visitor (qapi/qobject-input-visitor.c): members in
 * declaration order (missing, then wrong type), a union's branch members after its base, and
 * only then the members nobody asked for ("is unexpected"). Messages are qemu's, including where
 * it names a member by its full path ("cache.direct") and where only by its own name (enum values,
 * alternates, integer ranges; "null" for a list element). With {@code keyval} the scalars are
 * key=value strings, converted as qemu's keyval visitor does.
 */
final class ArgsChecker {
    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

    private final TypeSet types;
    private final boolean keyval;

    ArgsChecker(TypeSet types, boolean keyval) {
        this.types = types;
        this.keyval = keyval;
    }

    /** Checks a command's arguments object against its argument type. */
    void check(ObjectNode args, String argType) {
        visitObject(args, struct(argType), "");
    }

    private QapiType.Struct struct(String name) {
        if (types.get(name) instanceof QapiType.Struct s) return s;
        throw new IllegalStateException("QMP schema: no object type '" + name + "'");
    }

    private void visitObject(ObjectNode obj, QapiType.Struct s, String prefix) {
        List<String> all = new ArrayList<>();
        obj.fieldNames().forEachRemaining(all::add);
        Set<String> unvisited = new LinkedHashSet<>(all);
        visitMembers(obj, s, prefix, unvisited);
        if (unvisited.isEmpty()) return;
        List<String> visited = new ArrayList<>(all);
        visited.removeAll(unvisited);
        // qemu removes visited keys in visit order; which one it then names depends on that order
        visited.sort(java.util.Comparator.comparingInt(k -> visitOrder(s, k)));
        String first = unvisited.size() == 1 ? unvisited.iterator().next() : QdictOrder.first(all, visited);
        throw fail("Parameter '" + prefix + (first != null ? first : unvisited.iterator().next()) + "' is unexpected");
    }

    /** Position of member {@code k} in the visit of {@code s}: base members, then the branch's. */
    private int visitOrder(QapiType.Struct s, String k) {
        int i = 0;
        for (QapiType.Member m : s.members()) {
            if (m.name().equals(k)) return i;
            i++;
        }
        if (s.tag() == null) return Integer.MAX_VALUE;
        for (String branch : s.variants().values()) {
            if (types.get(branch) instanceof QapiType.Struct b) {
                int j = visitOrder(b, k);
                if (j != Integer.MAX_VALUE) return i + j;
            }
        }
        return Integer.MAX_VALUE;
    }

    private void visitMembers(ObjectNode obj, QapiType.Struct s, String prefix, Set<String> unvisited) {
        for (QapiType.Member m : s.members()) {
            JsonNode v = obj.get(m.name());
            if (v == null) {
                if (!m.optional()) throw fail("Parameter '" + prefix + m.name() + "' is missing");
                continue;
            }
            unvisited.remove(m.name());
            visitValue(m.type(), v, prefix + m.name(), m.name());
        }
        if (s.tag() != null) {
            JsonNode tag = obj.get(s.tag());
            String branch = tag == null ? null : s.variants().get(tag.asText());
            if (OptionsSchema.UNDECLARED.type().equals(branch)) unvisited.clear(); // the plugin checks its own
            else if (branch != null) visitMembers(obj, struct(branch), prefix, unvisited);
        }
    }

    /** @param full the member's path in messages; @param plain its own name ("null" for a list element) */
    private void visitValue(String type, JsonNode v, String full, String plain) {
        if (TypeSet.isArray(type)) {
            visitList(TypeSet.element(type), v, full);
            return;
        }
        if (TypeSet.BUILTINS.containsKey(type)) {
            visitBuiltin(type, v, full, plain);
            return;
        }
        QapiType t = types.get(type);
        switch (t) {
            case QapiType.Enumeration e -> {
                String s = string(v, full);
                if (!e.values().contains(s)) throw fail("Parameter '" + plain + "' does not accept value '" + s + "'");
            }
            case QapiType.Struct s -> {
                if (!v.isObject()) throw typeError(full, "object");
                visitObject((ObjectNode) v, s, full + ".");
            }
            case QapiType.Alternate a -> {
                String branch = alternateBranch(a, v);
                if (branch == null) throw typeError(plain, a.name());
                visitValue(branch, v, full, plain);
            }
            case null -> throw new IllegalStateException("QMP schema: no type '" + type + "'");
        }
    }

    private void visitList(String element, JsonNode v, String full) {
        List<JsonNode> elements = new ArrayList<>();
        if (v.isArray()) v.forEach(elements::add);
        else if (keyval && v.isObject()) {
            for (int i = 0; v.has(Integer.toString(i)); i++) elements.add(v.get(Integer.toString(i)));
            // keyval_listify: a gap in the indexes is reported by the first one missing
            if (elements.size() != v.size()) throw fail("Parameter '" + full + "." + elements.size() + "' missing");
        } else throw typeError(full, "array");
        for (int i = 0; i < elements.size(); i++) {
            visitValue(element, elements.get(i), full + (keyval ? "." + i : "[" + i + "]"), "null");
        }
    }

    /** Which of the alternate's types a value of this JSON type goes to (qemu picks by QType). */
    private String alternateBranch(QapiType.Alternate a, JsonNode v) {
        for (String b : a.types()) {
            QapiType t = types.get(b);
            boolean match;
            if (t instanceof QapiType.Struct) match = v.isObject();
            else if (t instanceof QapiType.Enumeration || b.equals("str")) match = v.isTextual();
            else if (t instanceof QapiType.Alternate) match = false;
            else if (TypeSet.INTEGERS.contains(b)) match = v.isNumber() || (keyval && v.isTextual());
            else if (b.equals("number")) match = v.isNumber() || (keyval && v.isTextual());
            else if (b.equals("bool")) match = v.isBoolean() || (keyval && v.isTextual());
            else if (b.equals("null")) match = v.isNull();
            else match = b.equals("any");
            // a key=value string goes to the string branch when there is one
            if (match && keyval && v.isTextual() && !(t instanceof QapiType.Enumeration || b.equals("str"))
                    && a.types().stream().anyMatch(o -> o.equals("str") || types.get(o) instanceof QapiType.Enumeration)) {
                continue;
            }
            if (match) return b;
        }
        return null;
    }

    private void visitBuiltin(String type, JsonNode v, String full, String plain) {
        switch (type) {
            case "str" -> string(v, full);
            case "bool" -> {
                if (keyval) {
                    String s = keyvalString(v, full);
                    // qapi_bool_parse: case-sensitive on/yes/true/y, off/no/false/n
                    if (!java.util.Set.of("on", "yes", "true", "y", "off", "no", "false", "n").contains(s)) throw fail("Parameter '" + full + "' expects 'on' or 'off'");
                } else if (!v.isBoolean()) throw typeError(full, "boolean");
            }
            case "number" -> {
                if (keyval) {
                    try {
                        double d = Double.parseDouble(keyvalString(v, full).trim());
                        if (!Double.isFinite(d)) throw new NumberFormatException();
                    } catch (NumberFormatException e) {
                        throw typeError(full, "number");
                    }
                } else if (!v.isNumber()) throw typeError(full, "number");
            }
            case "null" -> { if (!v.isNull()) throw typeError(full, "null"); }
            case "any" -> { }
            default -> integer(type, v, full, plain);
        }
    }

    private String string(JsonNode v, String full) {
        if (keyval) return keyvalString(v, full);
        if (!v.isTextual()) throw typeError(full, "string");
        return v.asText();
    }

    private String keyvalString(JsonNode v, String full) {
        if (v.isTextual()) return v.asText();
        if (v.isContainerNode()) throw fail("Parameters '" + full + ".*' are unexpected");
        throw fail("Internal error: parameter " + full + " invalid");
    }

    private void integer(String type, JsonNode v, String full, String plain) {
        boolean unsigned = type.startsWith("uint") || type.equals("size");
        BigInteger value;
        if (keyval) {
            String s = keyvalString(v, full);
            try {
                value = type.equals("size") ? BigInteger.valueOf(Options.parseSize(s)) : parse(s, unsigned);
            } catch (NumberFormatException | ArithmeticException e) {
                throw fail("Parameter '" + full + "' expects " + (type.equals("size") ? "size" : "integer"));
            }
        } else if (!v.isIntegralNumber()) {
            if (unsigned) throw fail("Parameter '" + full + "' expects uint64");
            throw typeError(full, "integer");
        } else {
            value = v.bigIntegerValue();
            boolean fits = unsigned ? value.bitLength() <= 64 && value.compareTo(TWO_64) < 0 && (value.signum() >= 0 || value.bitLength() < 64)
                    : value.bitLength() < 64;
            if (!fits) {
                if (unsigned) throw fail("Parameter '" + full + "' expects uint64");
                throw typeError(full, "integer");
            }
        }
        // qemu's visit_type_intN / uintN range check names only the member
        String width = type.equals("int") || type.equals("size") ? "64" : type.replaceAll("\\D", "");
        int bits = Integer.parseInt(width);
        if (bits == 64) return;
        if (unsigned) {
            BigInteger u = value.signum() < 0 ? value.add(TWO_64) : value;
            if (u.bitLength() > bits) throw fail("Parameter '" + plain + "' expects " + type + "_t");
        } else if (value.bitLength() > bits - 1) {
            throw fail("Parameter '" + plain + "' expects " + type + "_t");
        }
    }

    /** qemu_strtoi64 / qemu_strtou64 with base 0: decimal, 0x hex or 0 octal, a sign allowed. */
    private static BigInteger parse(String s, boolean unsigned) {
        String t = s;
        boolean neg = t.startsWith("-");
        String digits = neg || t.startsWith("+") ? t.substring(1) : t;
        if (digits.isEmpty() || !Character.isLetterOrDigit(digits.charAt(0))) throw new NumberFormatException(s);
        BigInteger v;
        if (digits.startsWith("0x") || digits.startsWith("0X")) v = new BigInteger(digits.substring(2), 16);
        else if (digits.length() > 1 && digits.startsWith("0")) v = new BigInteger(digits.substring(1), 8);
        else v = new BigInteger(digits, 10);
        if (neg) v = v.negate();
        if (unsigned) {
            if (v.bitLength() > 64 || (v.signum() >= 0 && v.compareTo(TWO_64) >= 0)) throw new ArithmeticException(s);
            if (v.signum() < 0 && v.negate().compareTo(TWO_64) >= 0) throw new ArithmeticException(s);
        } else if (v.bitLength() > 63) throw new ArithmeticException(s);
        return v;
    }

    private static OptionException typeError(String name, String expected) {
        return fail("Invalid parameter type for '" + name + "', expected: " + expected);
    }

    private static OptionException fail(String message) { return new OptionException(message); }
}
