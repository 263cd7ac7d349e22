package io.jsd.qmp;

import java.util.List;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A command's part of query-qmp-schema: the names of its argument and return types and the type
 * entries (SchemaInfo objects, e.g. {"name":"x","meta-type":"object","members":[...]}) they need.
 * The static builders make those entries in qemu's shape, so command sets don't each write their own.
 */
public record QmpSchema(String argType, String retType, List<ObjectNode> types) {
    /** No arguments ("0" is qemu's empty object type) and an empty object returned. */
    public static final QmpSchema NO_ARGS = new QmpSchema("0", "0", List.of());

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    /**
     * An object type. Each member is written "name:type"; a "?" after the name marks it optional
     * (qemu shows that as "default": null), e.g. {@code object("Foo", "id:str", "size?:int")}.
     */
    public static ObjectNode object(String name, String... members) {
        ObjectNode o = F.objectNode();
        o.put("name", name);
        o.put("meta-type", "object");
        ArrayNode m = o.putArray("members");
        for (String spec : members) {
            int colon = spec.indexOf(':');
            if (colon < 1) throw new IllegalArgumentException("member must be 'name:type': " + spec);
            String n = spec.substring(0, colon);
            boolean optional = n.endsWith("?");
            ObjectNode e = m.addObject();
            e.put("name", optional ? n.substring(0, n.length() - 1) : n);
            e.put("type", spec.substring(colon + 1));
            if (optional) e.putNull("default");
        }
        return o;
    }

    /** The array type "[element]". */
    public static ObjectNode array(String element) {
        ObjectNode o = F.objectNode();
        o.put("name", "[" + element + "]");
        o.put("meta-type", "array");
        o.put("element-type", element);
        return o;
    }

    /** An enum type with qemu 10's "members" and the older "values" list. */
    public static ObjectNode enumeration(String name, String... values) {
        ObjectNode o = F.objectNode();
        o.put("name", name);
        o.put("meta-type", "enum");
        ArrayNode m = o.putArray("members");
        ArrayNode v = o.putArray("values");
        for (String s : values) {
            m.addObject().put("name", s);
            v.add(s);
        }
        return o;
    }
}
