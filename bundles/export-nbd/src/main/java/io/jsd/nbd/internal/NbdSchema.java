package io.jsd.nbd.internal;

import java.util.List;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.jsd.qmp.QmpSchema;

/** query-qmp-schema entries of nbd-server-start (NbdServerOptionsLegacy with its address union). */
final class NbdSchema {
    private NbdSchema() {}

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    static final QmpSchema START = build();

    private static QmpSchema build() {
        ObjectNode args = QmpSchema.object("q_obj_nbd-server-start-arg",
                "addr:SocketAddressLegacy",
                "tls-creds?:str",
                "tls-authz?:str",
                "max-connections?:int",
                "handshake-max-seconds?:int");
        ObjectNode addrType = F.objectNode().put("name", "SocketAddressType").put("meta-type", "enum");
        ArrayNode values = addrType.putArray("values");
        for (String v : new String[] {"inet", "unix", "vsock", "fd"}) values.add(v);
        ObjectNode legacy = QmpSchema.object("SocketAddressLegacy", "type:SocketAddressType");
        legacy.put("tag", "type");
        ArrayNode variants = legacy.putArray("variants");
        variants.add(F.objectNode().put("case", "inet").put("type", "q_obj_InetSocketAddress-wrapper"));
        variants.add(F.objectNode().put("case", "unix").put("type", "q_obj_UnixSocketAddress-wrapper"));
        variants.add(F.objectNode().put("case", "fd").put("type", "q_obj_String-wrapper"));
        ObjectNode inetWrap = QmpSchema.object("q_obj_InetSocketAddress-wrapper", "data:InetSocketAddress");
        ObjectNode unixWrap = QmpSchema.object("q_obj_UnixSocketAddress-wrapper", "data:UnixSocketAddress");
        ObjectNode strWrap = QmpSchema.object("q_obj_String-wrapper", "data:String");
        ObjectNode inet = QmpSchema.object("InetSocketAddress", "host:str", "port:str",
                "numeric?:bool", "to?:int", "ipv4?:bool",
                "ipv6?:bool", "keep-alive?:bool");
        ObjectNode unix = QmpSchema.object("UnixSocketAddress", "path:str", "abstract?:bool",
                "tight?:bool");
        ObjectNode str = QmpSchema.object("String", "str:str");
        return new QmpSchema("q_obj_nbd-server-start-arg", "0",
                List.of(args, addrType, legacy, inetWrap, unixWrap, strWrap, inet, unix, str));
    }
}
