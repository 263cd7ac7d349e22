package io.jsd.plugins.internal;

import java.util.List;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.jsd.qmp.QmpSchema;

/** query-qmp-schema entries of the plugin commands. */
final class Schemas {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private Schemas() {}

    static ObjectNode object(String name, String... membersNameType) {
        ObjectNode o = F.objectNode().put("name", name).put("meta-type", "object");
        ArrayNode m = o.putArray("members");
        for (int i = 0; i < membersNameType.length; i += 2) {
            ObjectNode member = m.addObject();
            String n = membersNameType[i];
            boolean optional = n.startsWith("*");
            member.put("name", optional ? n.substring(1) : n).put("type", membersNameType[i + 1]);
            if (optional) member.putNull("default");
        }
        return o;
    }

    /** {"name": str} argument, empty return: x-jsd-plugin-start / -stop. */
    static QmpSchema byName(String command) {
        String arg = "q_obj_" + command + "-arg";
        return new QmpSchema(arg, "0", List.of(object(arg, "name", "str")));
    }

    static QmpSchema update() {
        String arg = "q_obj_x-jsd-plugin-update-arg";
        return new QmpSchema(arg, "0", List.of(object(arg, "name", "str", "*path", "str")));
    }

    static QmpSchema query() {
        ObjectNode info = object("JsdPluginInfo", "symbolic-name", "str", "version", "str", "id", "int", "state", "str",
                "location", "str", "*file", "str", "protected", "bool", "block-drivers", "[str]", "export-types", "[str]",
                "commands", "[str]");
        ObjectNode list = F.objectNode().put("name", "[JsdPluginInfo]").put("meta-type", "array").put("element-type", "JsdPluginInfo");
        ObjectNode strs = F.objectNode().put("name", "[str]").put("meta-type", "array").put("element-type", "str");
        return new QmpSchema("0", "[JsdPluginInfo]", List.of(info, list, strs));
    }
}
