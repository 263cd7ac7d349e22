package io.jsd.options;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A QAPI type in the shape qemu's schema uses, for declaring QMP arguments and plugin options
 * (driver, export type) without Jackson. A type refers to others by name: a builtin ("str",
 * "int", "int32", "uint16", "uint64", "size", "bool", "number", "null", "any"), an array "[T]", or
 * a type declared next to it or by core (e.g. "BlockdevRef", "OnOffAuto", "SocketAddress").
 * Core checks QMP and command-line arguments against these before a command runs, and generates
 * query-qmp-schema from them.
 */
public sealed interface QapiType {
    String name();

    /** One member of a struct; an optional one may be absent. */
    record Member(String name, String type, boolean optional) {}

    /**
     * An object type. With a {@code tag} it is a flat union: {@code tag} names an enum member of
     * {@code members}, and {@code variants} maps each of its values to the struct whose members
     * are added for that value (a value without a variant adds none).
     */
    record Struct(String name, List<Member> members, String tag, Map<String, String> variants) implements QapiType {
        public Struct {
            members = List.copyOf(members);
            variants = variants == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(variants));
        }

        /** This struct turned into a flat union on {@code tag}. */
        public Struct union(String tag, Map<String, String> variants) { return new Struct(name, members, tag, variants); }

        /** The same with variants written as pairs: {@code union("type", "inet", "InetSocketAddress", "unix", ...)}. */
        public Struct union(String tag, String... caseThenType) {
            Map<String, String> v = new LinkedHashMap<>();
            for (int i = 0; i + 1 < caseThenType.length; i += 2) v.put(caseThenType[i], caseThenType[i + 1]);
            return union(tag, v);
        }
    }

    record Enumeration(String name, List<String> values) implements QapiType {
        public Enumeration { values = List.copyOf(values); }
    }

    /** One of several types, chosen by the JSON type of the value (qemu's 'alternate'). */
    record Alternate(String name, List<String> types) implements QapiType {
        public Alternate { types = List.copyOf(types); }
    }

    /**
     * A struct. Each member is written "name:type"; a "?" after the name marks it optional, e.g.
     * {@code struct("BlockdevOptionsNull", "size?:int", "latency-ns?:uint64", "read-zeroes?:bool")}.
     */
    static Struct struct(String name, String... members) {
        List<Member> m = new ArrayList<>();
        for (String spec : members) {
            int colon = spec.indexOf(':');
            if (colon < 1) throw new IllegalArgumentException("member must be 'name:type': " + spec);
            String n = spec.substring(0, colon);
            boolean optional = n.endsWith("?");
            m.add(new Member(optional ? n.substring(0, n.length() - 1) : n, spec.substring(colon + 1), optional));
        }
        return new Struct(name, m, null, null);
    }

    static Enumeration enumeration(String name, String... values) { return new Enumeration(name, List.of(values)); }

    static Alternate alternate(String name, String... types) { return new Alternate(name, List.of(types)); }
}
