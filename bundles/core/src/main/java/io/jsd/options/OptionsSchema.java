package io.jsd.options;

import java.util.ArrayList;
import java.util.List;

/**
 * The options a plugin accepts (a block driver's blockdev-add or blockdev-create branch, an export
 * type's block-export-add branch): {@code type} names the struct whose members are added to the
 * common ones, {@code types} are the definitions it needs beyond builtins and core's shared types.
 */
public record OptionsSchema(String type, List<QapiType> types) {
    /** No options beyond the common ones (qemu's empty branch). */
    public static final OptionsSchema NONE = new OptionsSchema(null, List.of());

    /**
     * Not declared: the branch accepts any members and leaves their checks to the plugin (a test
     * driver, or a plugin built before declarations existed). query-qmp-schema shows it as an
     * object type without members.
     */
    public static final OptionsSchema UNDECLARED = new OptionsSchema("JsdUndeclaredOptions",
            List.of(QapiType.struct("JsdUndeclaredOptions")));

    public OptionsSchema {
        types = List.copyOf(types);
    }

    /** The branch {@code root} and the types it refers to. */
    public static OptionsSchema of(QapiType.Struct root, QapiType... more) {
        List<QapiType> all = new ArrayList<>();
        all.add(root);
        all.addAll(List.of(more));
        return new OptionsSchema(root.name(), all);
    }
}
