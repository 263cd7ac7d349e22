package io.jsd.driver.file.internal;

import io.jsd.options.OptionsSchema;
import io.jsd.options.QapiType;

/** blockdev-add's BlockdevOptionsFile (file and host_device) and blockdev-create's BlockdevCreateOptionsFile. */
final class FileSchema {
    private FileSchema() {}

    static final OptionsSchema OPEN = OptionsSchema.of(
            QapiType.struct("BlockdevOptionsFile", "filename:str", "pr-manager?:str", "locking?:OnOffAuto",
                    "aio?:BlockdevAioOptions", "aio-max-batch?:int", "drop-cache?:bool", "x-check-cache-dropped?:bool"),
            QapiType.enumeration("BlockdevAioOptions", "threads", "native", "io_uring"));

    static final OptionsSchema CREATE = OptionsSchema.of(
            QapiType.struct("BlockdevCreateOptionsFile", "filename:str", "size:size", "preallocation?:PreallocMode",
                    "nocow?:bool", "extent-size-hint?:size"),
            QapiType.enumeration("PreallocMode", "off", "metadata", "falloc", "full"));
}
