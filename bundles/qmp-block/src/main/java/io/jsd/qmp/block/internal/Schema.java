package io.jsd.qmp.block.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Builds query-qmp-schema SchemaInfo entries in qemu's shape. */
final class Schema {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private Schema() {}

    /** An object type; members are "name:type", a trailing "?" on the name marks it optional. */
    static ObjectNode object(String name, String... members) {
        ObjectNode o = F.objectNode();
        o.put("name", name);
        o.put("meta-type", "object");
        ArrayNode m = o.putArray("members");
        for (String spec : members) {
            int colon = spec.indexOf(':');
            String n = spec.substring(0, colon);
            ObjectNode e = m.addObject();
            boolean optional = n.endsWith("?");
            e.put("name", optional ? n.substring(0, n.length() - 1) : n);
            e.put("type", spec.substring(colon + 1));
            if (optional) e.putNull("default");
        }
        return o;
    }

    static ObjectNode array(String element) {
        ObjectNode o = F.objectNode();
        o.put("name", "[" + element + "]");
        o.put("meta-type", "array");
        o.put("element-type", element);
        return o;
    }

    static ObjectNode enumeration(String name, String... values) {
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
