package io.jsd.core.internal.qmp;

import static io.jsd.options.QapiType.enumeration;
import static io.jsd.options.QapiType.struct;

import java.util.List;
import java.util.Map;

import io.jsd.options.QapiType;

/** object-add's ObjectOptions branches for the qom-types core creates (qapi/qom.json, qemu's member order). */
final class ObjectTypeSchemas {
    private ObjectTypeSchemas() {}

    private static final String[] THROTTLE_LIMITS = limits("");

    static final Map<String, QapiType.Struct> BRANCHES = Map.ofEntries(
            Map.entry("secret", struct("SecretProperties", "format?:QCryptoSecretFormat", "keyid?:str", "iv?:str",
                    "data?:str", "file?:str")),
            Map.entry("secret_keyring", struct("SecretKeyringProperties", "format?:QCryptoSecretFormat", "keyid?:str",
                    "iv?:str", "serial:int32")),
            Map.entry("iothread", struct("IothreadProperties", "aio-max-batch?:int", "thread-pool-min?:int",
                    "thread-pool-max?:int", "poll-max-ns?:int", "poll-grow?:int", "poll-shrink?:int")),
            Map.entry("main-loop", struct("MainLoopProperties", "aio-max-batch?:int", "thread-pool-min?:int",
                    "thread-pool-max?:int")),
            Map.entry("tls-creds-x509", struct("TlsCredsX509Properties", "verify-peer?:bool", "dir?:str",
                    "endpoint?:QCryptoTLSCredsEndpoint", "priority?:str", "sanity-check?:bool", "passwordid?:str")),
            Map.entry("tls-creds-psk", struct("TlsCredsPskProperties", "verify-peer?:bool", "dir?:str",
                    "endpoint?:QCryptoTLSCredsEndpoint", "priority?:str", "username?:str")),
            Map.entry("tls-creds-anon", struct("TlsCredsAnonProperties", "verify-peer?:bool", "dir?:str",
                    "endpoint?:QCryptoTLSCredsEndpoint", "priority?:str")),
            Map.entry("authz-simple", struct("AuthZSimpleProperties", "identity:str")),
            Map.entry("authz-list", struct("AuthZListProperties", "policy?:QAuthZListPolicy", "rules?:[QAuthZListRule]")),
            Map.entry("authz-listfile", struct("AuthZListFileProperties", "filename:str", "refresh?:bool")),
            Map.entry("authz-list-file", struct("AuthZListFileProperties", "filename:str", "refresh?:bool")),
            Map.entry("throttle-group", struct("ThrottleGroupProperties", concat(new String[] {"limits?:ThrottleLimits"},
                    limits("x-")))),
            Map.entry("thread-context", struct("ThreadContextProperties", "cpu-affinity?:[uint16]", "node-affinity?:[uint16]")),
            Map.entry("pr-manager-helper", struct("PrManagerHelperProperties", "path:str")));

    static final List<QapiType> TYPES = List.of(
            enumeration("QCryptoSecretFormat", "raw", "base64"),
            enumeration("QCryptoTLSCredsEndpoint", "client", "server"),
            enumeration("QAuthZListPolicy", "deny", "allow"),
            enumeration("QAuthZListFormat", "exact", "glob"),
            struct("QAuthZListRule", "match:str", "policy:QAuthZListPolicy", "format?:QAuthZListFormat"),
            struct("ThrottleLimits", THROTTLE_LIMITS));

    /** ThrottleLimits' members (as "x-" properties too, qemu's legacy spelling on throttle-group). */
    private static String[] limits(String prefix) {
        List<String> m = new java.util.ArrayList<>();
        for (String kind : new String[] {"iops", "bps"}) {
            for (String dir : new String[] {"total", "read", "write"}) {
                String base = prefix + kind + "-" + dir;
                m.add(base + "?:int");
                m.add(base + "-max?:int");
                m.add(base + "-max-length?:int");
            }
        }
        m.add(prefix + "iops-size?:int");
        return m.toArray(String[]::new);
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
