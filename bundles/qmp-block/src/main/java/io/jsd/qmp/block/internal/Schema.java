package io.jsd.qmp.block.internal;

import io.jsd.options.QapiType;

/** The return types the block query commands share (qapi/block-core.json names and member order). */
final class Schema {
    private Schema() {}

    static QapiType.Struct object(String name, String... members) { return QapiType.struct(name, members); }

    static QapiType.Enumeration enumeration(String name, String... values) { return QapiType.enumeration(name, values); }

    static final QapiType.Struct EXPORT_INFO = object("BlockExportInfo", "id:str", "type:BlockExportType", "node-name:str",
            "shutting-down:bool");
    static final QapiType.Struct BLOCK_INFO = object("BlockInfo", "device:str", "qdev?:str", "type:str", "removable:bool",
            "locked:bool", "inserted?:BlockDeviceInfo");
    static final QapiType.Struct BLOCK_DEVICE_INFO = object("BlockDeviceInfo", "file:str", "node-name?:str", "ro:bool",
            "drv:str", "backing_file?:str", "backing_file_depth:int", "active:bool", "encrypted:bool",
            "detect_zeroes:BlockdevDetectZeroesOptions", "bps:int", "bps_rd:int", "bps_wr:int", "iops:int", "iops_rd:int",
            "iops_wr:int", "image:ImageInfo", "cache:BlockdevCacheInfo", "write_threshold:int");
    static final QapiType.Struct IMAGE_INFO = object("ImageInfo", "filename:str", "format:str", "dirty-flag?:bool",
            "actual-size?:int", "virtual-size:int", "cluster-size?:int", "backing-filename?:str", "full-backing-filename?:str",
            "backing-filename-format?:str", "format-specific?:any", "backing-image?:ImageInfo");
    static final QapiType.Struct CACHE_INFO = object("BlockdevCacheInfo", "writeback:bool", "direct:bool", "no-flush:bool");
    static final QapiType.Struct BLOCK_STATS = object("BlockStats", "device?:str", "qdev?:str", "node-name?:str",
            "stats:BlockDeviceStats", "driver-specific?:any", "parent?:BlockStats", "backing?:BlockStats");
    static final QapiType.Struct BLOCK_DEVICE_STATS = object("BlockDeviceStats", "rd_bytes:int", "wr_bytes:int",
            "zone_append_bytes:int", "unmap_bytes:int", "rd_operations:int", "wr_operations:int",
            "zone_append_operations:int", "flush_operations:int", "unmap_operations:int", "rd_total_time_ns:int",
            "wr_total_time_ns:int", "zone_append_total_time_ns:int", "flush_total_time_ns:int", "unmap_total_time_ns:int",
            "wr_highest_offset:int", "rd_merged:int", "wr_merged:int", "zone_append_merged:int", "unmap_merged:int",
            "failed_rd_operations:int", "failed_wr_operations:int", "failed_zone_append_operations:int",
            "failed_flush_operations:int", "failed_unmap_operations:int", "invalid_rd_operations:int",
            "invalid_wr_operations:int", "invalid_zone_append_operations:int", "invalid_flush_operations:int",
            "invalid_unmap_operations:int", "account_invalid:bool", "account_failed:bool",
            "timed_stats:[BlockDeviceTimedStats]");
    static final QapiType.Struct BLOCK_DEVICE_TIMED_STATS = object("BlockDeviceTimedStats", "interval_length:int",
            "min_rd_latency_ns:int", "max_rd_latency_ns:int", "avg_rd_latency_ns:int", "min_wr_latency_ns:int",
            "max_wr_latency_ns:int", "avg_wr_latency_ns:int", "min_zone_append_latency_ns:int",
            "max_zone_append_latency_ns:int", "avg_zone_append_latency_ns:int", "min_flush_latency_ns:int",
            "max_flush_latency_ns:int", "avg_flush_latency_ns:int", "avg_rd_queue_depth:number",
            "avg_wr_queue_depth:number", "avg_zone_append_queue_depth:number");
}
