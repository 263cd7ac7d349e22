package io.jsd.core.internal.qmp;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.jsd.options.QapiType;
import io.jsd.qmp.QmpSchema;

/**
 * Writes query-qmp-schema's SchemaInfo list (qapi/introspect.json): commands, events, then every
 * type they reach and the builtins. Unlike qemu, type names are not masked as numbers.
 */
final class SchemaInfo {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final String[][] BUILTINS = {{"str", "string"}, {"int", "int"}, {"number", "number"},
            {"bool", "boolean"}, {"null", "null"}, {"any", "value"}};

    private SchemaInfo() {}

    static ArrayNode write(Map<String, QmpSchema> commands, TypeSet types) {
        ArrayNode out = F.arrayNode();
        Set<String> reached = new LinkedHashSet<>();
        Deque<String> todo = new ArrayDeque<>();
        commands.forEach((name, s) -> {
            out.addObject().put("name", name).put("meta-type", "command")
                    .put("arg-type", TypeSet.shown(s.argType())).put("ret-type", TypeSet.shown(s.retType()));
            todo.add(s.argType());
            todo.add(s.retType());
        });
        for (CoreTypes.Event e : CoreTypes.EVENTS) {
            out.addObject().put("name", e.name()).put("meta-type", "event").put("arg-type", e.data().name());
            todo.add(e.data().name());
        }
        while (!todo.isEmpty()) {
            String name = TypeSet.shown(todo.poll());
            if (TypeSet.BUILTINS.containsKey(name) || !reached.add(name)) continue;
            if (TypeSet.isArray(name)) {
                out.addObject().put("name", name).put("meta-type", "array").put("element-type", TypeSet.element(name));
                todo.add(TypeSet.element(name));
                continue;
            }
            QapiType t = types.get(name);
            if (t == null) throw new IllegalStateException("QMP schema: no type '" + name + "'");
            out.add(entry(t, todo));
        }
        for (String[] b : BUILTINS) out.addObject().put("name", b[0]).put("meta-type", "builtin").put("json-type", b[1]);
        return out;
    }

    private static ObjectNode entry(QapiType t, Deque<String> todo) {
        ObjectNode o = F.objectNode().put("name", t.name());
        switch (t) {
            case QapiType.Struct s -> {
                o.put("meta-type", "object");
                ArrayNode m = o.putArray("members");
                for (QapiType.Member mem : s.members()) {
                    ObjectNode e = m.addObject().put("name", mem.name()).put("type", TypeSet.shown(mem.type()));
                    if (mem.optional()) e.putNull("default");
                    todo.add(mem.type());
                }
                if (s.tag() != null) {
                    o.put("tag", s.tag());
                    ArrayNode v = o.putArray("variants");
                    s.variants().forEach((c, type) -> {
                        v.addObject().put("case", c).put("type", type);
                        todo.add(type);
                    });
                }
            }
            case QapiType.Enumeration e -> {
                o.put("meta-type", "enum");
                ArrayNode m = o.putArray("members");
                ArrayNode v = o.putArray("values");
                for (String s : e.values()) {
                    m.addObject().put("name", s);
                    v.add(s);
                }
            }
            case QapiType.Alternate a -> {
                o.put("meta-type", "alternate");
                ArrayNode m = o.putArray("members");
                for (String type : a.types()) {
                    m.addObject().put("type", TypeSet.shown(type));
                    todo.add(type);
                }
            }
        }
        return o;
    }
}
