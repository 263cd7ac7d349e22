package io.jsd.qmp;

import java.util.List;

import io.jsd.options.QapiType;

/**
 * A command's declaration for argument checking and query-qmp-schema: the names of its argument
 * and return types and the type definitions they need (beyond builtins and core's shared types
 * such as BlockdevOptions, BlockExportOptions, ObjectOptions, SocketAddress). The dispatcher checks
 * the arguments against {@code argType} before the command runs. "0" is qemu's empty object type.
 */
public record QmpSchema(String argType, String retType, List<QapiType> types) {
    /** No arguments and an empty object returned. */
    public static final QmpSchema NO_ARGS = new QmpSchema("0", "0", List.of());

    public QmpSchema {
        types = List.copyOf(types);
    }

    /** {@code args} as the argument type (named "q_obj_COMMAND-arg" by qemu's convention). */
    public static QmpSchema of(QapiType.Struct args, String retType, QapiType... types) {
        List<QapiType> all = new java.util.ArrayList<>();
        all.add(args);
        all.addAll(List.of(types));
        return new QmpSchema(args.name(), retType, all);
    }

    /** No arguments, returning {@code retType}. */
    public static QmpSchema returning(String retType, QapiType... types) { return new QmpSchema("0", retType, List.of(types)); }

    /** The struct "q_obj_COMMAND-arg" with {@code members} (written as in {@link QapiType#struct}). */
    public static QapiType.Struct args(String command, String... members) {
        return QapiType.struct("q_obj_" + command + "-arg", members);
    }
}
