package io.jsd.qmp.block.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.jsd.qmp.QmpSchema;

/** The SchemaInfo entries the block commands share (built with the API's {@link QmpSchema} builders). */
final class Schema {
    private Schema() {}

    static ObjectNode object(String name, String... members) { return QmpSchema.object(name, members); }

    static ObjectNode array(String element) { return QmpSchema.array(element); }

    static ObjectNode enumeration(String name, String... values) { return QmpSchema.enumeration(name, values); }

    static final ObjectNode BLOCKDEV_OPTIONS = object("BlockdevOptions", "driver:str", "node-name?:str",
            "discard?:BlockdevDiscardOptions", "cache?:BlockdevCacheOptions", "read-only?:bool",
            "auto-read-only?:bool", "force-share?:bool", "detect-zeroes?:BlockdevDetectZeroesOptions", "active?:bool");
    static final ObjectNode DISCARD = enumeration("BlockdevDiscardOptions", "ignore", "unmap");
    static final ObjectNode DETECT_ZEROES = enumeration("BlockdevDetectZeroesOptions", "off", "on", "unmap");
    static final ObjectNode CACHE = object("BlockdevCacheOptions", "direct?:bool", "no-flush?:bool");
    static final ObjectNode EXPORT_OPTIONS = object("BlockExportOptions", "type:str", "id:str", "node-name:str",
            "writable?:bool", "writethrough?:bool", "iothread?:str", "fixed-iothread?:bool", "allow-inactive?:bool");
    static final ObjectNode EXPORT_INFO = object("BlockExportInfo", "id:str", "type:str", "node-name:str", "shutting-down:bool");
    static final ObjectNode BLOCK_DEVICE_INFO = object("BlockDeviceInfo", "file:str", "node-name?:str", "ro:bool", "drv:str",
            "backing_file?:str", "backing_file_depth:int", "active:bool", "encrypted:bool", "detect_zeroes:BlockdevDetectZeroesOptions",
            "bps:int", "bps_rd:int", "bps_wr:int", "iops:int", "iops_rd:int", "iops_wr:int", "image:ImageInfo",
            "cache:BlockdevCacheInfo", "write_threshold:int");
    static final ObjectNode IMAGE_INFO = object("ImageInfo", "filename:str", "format:str", "dirty-flag?:bool",
            "actual-size?:int", "virtual-size:int", "format-specific?:any");
    static final ObjectNode CACHE_INFO = object("BlockdevCacheInfo", "writeback:bool", "direct:bool", "no-flush:bool");
}
