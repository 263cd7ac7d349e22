package io.jsd.plugins.internal;

import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.jsd.qmp.QmpSchema;

/** query-qmp-schema entries of the plugin commands. */
final class Schemas {
    private Schemas() {}

    /** {"name": str} argument, empty return: x-jsd-plugin-start / -stop. */
    static QmpSchema byName(String command) {
        String arg = "q_obj_" + command + "-arg";
        return new QmpSchema(arg, "0", List.of(QmpSchema.object(arg, "name:str")));
    }

    static QmpSchema update() {
        String arg = "q_obj_x-jsd-plugin-update-arg";
        return new QmpSchema(arg, "0", List.of(QmpSchema.object(arg, "name:str", "path?:str")));
    }

    static QmpSchema query() {
        ObjectNode info = QmpSchema.object("JsdPluginInfo", "symbolic-name:str", "version:str", "id:int", "state:str",
                "waiting-for?:[str]", "location:str", "file?:str", "protected:bool", "block-drivers:[str]", "export-types:[str]",
                "commands:[str]");
        ObjectNode list = QmpSchema.array("JsdPluginInfo");
        ObjectNode strs = QmpSchema.array("str");
        return new QmpSchema("0", "[JsdPluginInfo]", List.of(info, list, strs));
    }
}
