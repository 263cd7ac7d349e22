package io.jsd.qmp;

import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A command's part of query-qmp-schema: the names of its argument and return types and the type
 * entries (SchemaInfo objects, e.g. {"name":"x","meta-type":"object","members":[...]}) they need.
 */
public record QmpSchema(String argType, String retType, List<ObjectNode> types) {
    /** No arguments ("0" is qemu's empty object type) and an empty object returned. */
    public static final QmpSchema NO_ARGS = new QmpSchema("0", "0", List.of());
}
