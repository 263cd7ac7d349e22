package io.jsd.core.internal.qmp;

import static io.jsd.options.QapiType.alternate;
import static io.jsd.options.QapiType.enumeration;
import static io.jsd.options.QapiType.struct;

import java.util.List;
import io.jsd.options.QapiType;

/**
 * The types core declares for everyone (qemu's names and member order from qapi/*.json): the
 * common members of the driver-, type- and qom-type-discriminated unions, the shared types plugins
 * refer to by name, and the events JSD emits.
 */
final class CoreTypes {
    private CoreTypes() {}

    /** BlockdevOptions without its "driver" enum and branches, which the installed drivers give. */
    static final QapiType.Struct BLOCKDEV_OPTIONS = struct("BlockdevOptions", "driver:BlockdevDriver", "node-name?:str",
            "discard?:BlockdevDiscardOptions", "cache?:BlockdevCacheOptions", "active?:bool", "read-only?:bool",
            "auto-read-only?:bool", "force-share?:bool", "detect-zeroes?:BlockdevDetectZeroesOptions");
    static final QapiType.Struct BLOCKDEV_CREATE_OPTIONS = struct("BlockdevCreateOptions", "driver:BlockdevDriver");
    static final QapiType.Struct BLOCK_EXPORT_OPTIONS = struct("BlockExportOptions", "type:BlockExportType", "id:str",
            "fixed-iothread?:bool", "iothread?:str", "node-name:str", "writable?:bool", "writethrough?:bool",
            "allow-inactive?:bool");
    static final QapiType.Struct OBJECT_OPTIONS = struct("ObjectOptions", "qom-type:ObjectType", "id:str");

    static final List<QapiType> SHARED = List.of(
            struct("BlockdevCacheOptions", "direct?:bool", "no-flush?:bool"),
            enumeration("BlockdevDiscardOptions", "ignore", "unmap"),
            enumeration("BlockdevDetectZeroesOptions", "off", "on", "unmap"),
            alternate("BlockdevRef", "BlockdevOptions", "str"),
            alternate("BlockdevRefOrNull", "BlockdevOptions", "str", "null"),
            enumeration("OnOffAuto", "auto", "on", "off"),
            enumeration("BlockExportRemoveMode", "safe", "hard"),
            struct("SocketAddress", "type:SocketAddressType").union("type", "inet", "InetSocketAddress",
                    "unix", "UnixSocketAddress", "vsock", "VsockSocketAddress", "fd", "String"),
            enumeration("SocketAddressType", "inet", "unix", "vsock", "fd"),
            struct("InetSocketAddress", "host:str", "port:str", "numeric?:bool", "to?:uint16", "ipv4?:bool", "ipv6?:bool",
                    "keep-alive?:bool", "mptcp?:bool"),
            struct("UnixSocketAddress", "path:str", "abstract?:bool", "tight?:bool"),
            struct("VsockSocketAddress", "cid:str", "port:str"),
            struct("String", "str:str"),
            enumeration("JobType", "commit", "stream", "mirror", "backup", "create", "amend", "snapshot-load", "snapshot-save",
                    "snapshot-delete"),
            enumeration("JobStatus", "undefined", "created", "running", "paused", "ready", "standby", "waiting", "pending",
                    "aborting", "concluded", "null"));

    /** An event: its name and the type of its "data". */
    record Event(String name, QapiType.Struct data) {}

    /** Every event JSD emits (grep for QmpEvents.emit). */
    static final List<Event> EVENTS = List.of(
            new Event("JOB_STATUS_CHANGE", struct("q_obj_JOB_STATUS_CHANGE-arg", "id:str", "status:JobStatus")),
            new Event("BLOCK_EXPORT_DELETED", struct("q_obj_BLOCK_EXPORT_DELETED-arg", "id:str")),
            new Event("BLOCK_IMAGE_CORRUPTED", struct("q_obj_BLOCK_IMAGE_CORRUPTED-arg", "device:str", "node-name?:str",
                    "msg:str", "offset?:int", "size?:int", "fatal:bool")));
}
