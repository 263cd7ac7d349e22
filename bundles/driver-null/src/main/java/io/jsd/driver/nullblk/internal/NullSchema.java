package io.jsd.driver.nullblk.internal;

import io.jsd.options.OptionsSchema;
import io.jsd.options.QapiType;

/** blockdev-add's BlockdevOptionsNull (null-co and null-aio). */
final class NullSchema {
    private NullSchema() {}

    static final OptionsSchema OPEN = OptionsSchema.of(
            QapiType.struct("BlockdevOptionsNull", "size?:int", "latency-ns?:uint64", "read-zeroes?:bool"));
}
