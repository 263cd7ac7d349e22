package io.jsd.nbd.internal;

import static io.jsd.options.QapiType.struct;

import io.jsd.options.OptionsSchema;
import io.jsd.options.QapiType;
import io.jsd.qmp.QmpSchema;

/** Declared types of nbd-server-start (NbdServerOptionsLegacy) and of block-export-add type=nbd. */
final class NbdSchema {
    private NbdSchema() {}

    static final QmpSchema START = QmpSchema.of(
            QmpSchema.args("nbd-server-start", "handshake-max-seconds?:uint32", "tls-creds?:str", "tls-authz?:str",
                    "max-connections?:uint32", "addr:SocketAddressLegacy"),
            "0",
            struct("SocketAddressLegacy", "type:SocketAddressType").union("type",
                    "inet", "q_obj_InetSocketAddress-wrapper", "unix", "q_obj_UnixSocketAddress-wrapper",
                    "vsock", "q_obj_VsockSocketAddress-wrapper", "fd", "q_obj_String-wrapper"),
            struct("q_obj_InetSocketAddress-wrapper", "data:InetSocketAddress"),
            struct("q_obj_UnixSocketAddress-wrapper", "data:UnixSocketAddress"),
            struct("q_obj_VsockSocketAddress-wrapper", "data:VsockSocketAddress"),
            struct("q_obj_String-wrapper", "data:String"));

    /** --nbd-server: NbdServerOptions, whose addr is the flat SocketAddress. */
    static final QmpSchema COMMAND_LINE = QmpSchema.of(
            QapiType.struct("NbdServerOptions", "handshake-max-seconds?:uint32", "tls-creds?:str", "tls-authz?:str",
                    "max-connections?:uint32", "addr:SocketAddress"),
            "0");

    /** BlockExportOptionsNbd. */
    static final OptionsSchema EXPORT = OptionsSchema.of(
            struct("BlockExportOptionsNbd", "name?:str", "description?:str", "bitmaps?:[BlockDirtyBitmapOrStr]",
                    "allocation-depth?:bool"),
            QapiType.alternate("BlockDirtyBitmapOrStr", "str", "BlockDirtyBitmap"),
            struct("BlockDirtyBitmap", "node:str", "name:str"));
}
