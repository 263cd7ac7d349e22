package io.jsd.core.internal.qmp;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import io.jsd.options.QapiType;

/** Type definitions by name, as one command (or query-qmp-schema) sees them; the first definition of a name wins. */
final class TypeSet {
    /** Builtin names and their JSON type in SchemaInfo; every integer type shows as qemu's "int". */
    static final Map<String, String> BUILTINS = Map.ofEntries(Map.entry("str", "string"), Map.entry("int", "int"),
            Map.entry("int8", "int"), Map.entry("int16", "int"), Map.entry("int32", "int"), Map.entry("int64", "int"),
            Map.entry("uint8", "int"), Map.entry("uint16", "int"), Map.entry("uint32", "int"), Map.entry("uint64", "int"),
            Map.entry("size", "int"), Map.entry("bool", "boolean"), Map.entry("number", "number"), Map.entry("null", "null"),
            Map.entry("any", "value"));
    static final Set<String> INTEGERS = Set.of("int", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "size");
    /** qemu's empty object type. */
    static final QapiType.Struct EMPTY = QapiType.struct("0");

    private final Map<String, QapiType> types = new LinkedHashMap<>();

    TypeSet() { add(EMPTY); }

    TypeSet add(QapiType t) {
        types.putIfAbsent(t.name(), t);
        return this;
    }

    TypeSet addAll(Collection<? extends QapiType> ts) {
        ts.forEach(this::add);
        return this;
    }

    /** The definition of {@code name}, or null for a builtin or an array. */
    QapiType get(String name) { return types.get(name); }

    Collection<QapiType> all() { return types.values(); }

    static boolean isArray(String name) { return name.startsWith("[") && name.endsWith("]"); }

    static String element(String array) { return array.substring(1, array.length() - 1); }

    /** The name SchemaInfo shows for a type reference (integer widths are all "int"). */
    static String shown(String name) {
        if (isArray(name)) return "[" + shown(element(name)) + "]";
        String json = BUILTINS.get(name);
        return json != null && json.equals("int") ? "int" : name;
    }
}
