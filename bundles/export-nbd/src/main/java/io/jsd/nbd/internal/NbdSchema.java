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

    private static ObjectNode member(String name, String type, boolean optional) {
        ObjectNode m = F.objectNode().put("name", name).put("type", type);
        if (optional) m.putNull("default");
        return m;
    }

    private static ObjectNode object(String name, ObjectNode... members) {
        ObjectNode o = F.objectNode().put("name", name).put("meta-type", "object");
        ArrayNode a = o.putArray("members");
        for (ObjectNode m : members) a.add(m);
        return o;
    }

    static final QmpSchema START = build();

    private static QmpSchema build() {
        ObjectNode args = object("q_obj_nbd-server-start-arg",
                member("addr", "SocketAddressLegacy", false),
                member("tls-creds", "str", true),
                member("tls-authz", "str", true),
                member("max-connections", "int", true),
                member("handshake-max-seconds", "int", true));
        ObjectNode addrType = F.objectNode().put("name", "SocketAddressType").put("meta-type", "enum");
        ArrayNode values = addrType.putArray("values");
        for (String v : new String[] {"inet", "unix", "vsock", "fd"}) values.add(v);
        ObjectNode legacy = object("SocketAddressLegacy", member("type", "SocketAddressType", false));
        legacy.put("tag", "type");
        ArrayNode variants = legacy.putArray("variants");
        variants.add(F.objectNode().put("case", "inet").put("type", "q_obj_InetSocketAddress-wrapper"));
        variants.add(F.objectNode().put("case", "unix").put("type", "q_obj_UnixSocketAddress-wrapper"));
        variants.add(F.objectNode().put("case", "fd").put("type", "q_obj_String-wrapper"));
        ObjectNode inetWrap = object("q_obj_InetSocketAddress-wrapper", member("data", "InetSocketAddress", false));
        ObjectNode unixWrap = object("q_obj_UnixSocketAddress-wrapper", member("data", "UnixSocketAddress", false));
        ObjectNode strWrap = object("q_obj_String-wrapper", member("data", "String", false));
        ObjectNode inet = object("InetSocketAddress", member("host", "str", false), member("port", "str", false),
                member("numeric", "bool", true), member("to", "int", true), member("ipv4", "bool", true),
                member("ipv6", "bool", true), member("keep-alive", "bool", true));
        ObjectNode unix = object("UnixSocketAddress", member("path", "str", false), member("abstract", "bool", true),
                member("tight", "bool", true));
        ObjectNode str = object("String", member("str", "str", false));
        return new QmpSchema("q_obj_nbd-server-start-arg", "0",
                List.of(args, addrType, legacy, inetWrap, unixWrap, strWrap, inet, unix, str));
    }
}
