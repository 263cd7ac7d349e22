package io.jsd.plugins.internal;

import io.jsd.options.QapiType;
import io.jsd.qmp.QmpSchema;

/** Declared types of the plugin commands. */
final class Schemas {
    private Schemas() {}

    /** {"name": str} argument, empty return: x-jsd-plugin-start / -stop. */
    static QmpSchema byName(String command) { return QmpSchema.of(QmpSchema.args(command, "name:str"), "0"); }

    static QmpSchema update() { return QmpSchema.of(QmpSchema.args("x-jsd-plugin-update", "name:str", "path?:str"), "0"); }

    static QmpSchema query() {
        return QmpSchema.returning("[JsdPluginInfo]", QapiType.struct("JsdPluginInfo", "symbolic-name:str", "version:str",
                "id:int", "state:str", "location:str", "file?:str", "protected:bool", "block-drivers:[str]",
                "export-types:[str]", "commands:[str]"));
    }
}
