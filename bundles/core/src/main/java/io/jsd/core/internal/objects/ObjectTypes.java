package io.jsd.core.internal.objects;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.jsd.options.OptionException;
import io.jsd.options.Options;

/**
 * The qom-types --object / object-add accept (QSD's list) and how each checks its properties. Every
 * property is kept as given; consumers (NBD TLS, throttling, ...) read them through ObjectRegistry.
 */
final class ObjectTypes {
    /** A type's check: reads (and so accepts) its properties, throws qemu's message on bad ones. */
    interface Check { void apply(Options o); }

    static final Map<String, Check> TYPES = new TreeMap<>();
    static final Map<String, List<String>> HELP = new TreeMap<>();

    static {
        TYPES.put("secret", ObjectTypes::secret);
        HELP.put("secret", List.of("data=<str>", "file=<str>", "format=<QCryptoSecretFormat>", "iv=<str>", "keyid=<str>", "loaded=<bool>"));
        TYPES.put("secret_keyring", o -> o.integer("serial"));
        HELP.put("secret_keyring", List.of("serial=<int32>"));
        TYPES.put("iothread", EventLoopCheck::iothread);
        HELP.put("iothread", List.of("aio-max-batch=<int>", "poll-grow=<int>", "poll-max-ns=<int>", "poll-shrink=<int>",
                "thread-pool-max=<int>", "thread-pool-min=<int>"));
        TYPES.put("tls-creds-x509", o -> tls(o, "x509"));
        HELP.put("tls-creds-x509", List.of("dir=<str>", "endpoint=<QCryptoTLSCredsEndpoint>", "loaded=<bool>",
                "passwordid=<str>", "priority=<str>", "sanity-check=<bool>", "verify-peer=<bool>"));
        TYPES.put("tls-creds-psk", o -> tls(o, "psk"));
        HELP.put("tls-creds-psk", List.of("dir=<str>", "endpoint=<QCryptoTLSCredsEndpoint>", "loaded=<bool>", "priority=<str>",
                "username=<str>", "verify-peer=<bool>"));
        TYPES.put("tls-creds-anon", o -> tls(o, "anon"));
        HELP.put("tls-creds-anon", List.of("dir=<str>", "endpoint=<QCryptoTLSCredsEndpoint>", "loaded=<bool>", "priority=<str>",
                "verify-peer=<bool>"));
        TYPES.put("authz-simple", o -> o.string("identity"));
        HELP.put("authz-simple", List.of("identity=<str>"));
        TYPES.put("authz-list", o -> { o.choice("policy", "deny", "deny", "allow"); o.raw("rules"); });
        HELP.put("authz-list", List.of("policy=<QAuthZListPolicy>", "rules=<QAuthZListRule>"));
        // QSD 10 lists authz-list-file (a QOM type) but its QAPI refuses to create one: listed in help only
        HELP.put("authz-list-file", List.of("filename=<string>", "refresh=<bool>"));
        TYPES.put("throttle-group", ThrottleGroupCheck::apply);
        HELP.put("throttle-group", List.of("limits=<ThrottleLimits>", "x-bps-read-max-length=<int>", "x-bps-read-max=<int>", "x-bps-read=<int>", "x-bps-total-max-length=<int>", "x-bps-total-max=<int>", "x-bps-total=<int>", "x-bps-write-max-length=<int>", "x-bps-write-max=<int>", "x-bps-write=<int>", "x-iops-read-max-length=<int>", "x-iops-read-max=<int>", "x-iops-read=<int>", "x-iops-size=<int>", "x-iops-total-max-length=<int>", "x-iops-total-max=<int>", "x-iops-total=<int>", "x-iops-write-max-length=<int>", "x-iops-write-max=<int>", "x-iops-write=<int>"));
        TYPES.put("main-loop", EventLoopCheck::mainLoop);
        HELP.put("main-loop", List.of("aio-max-batch=<int>", "thread-pool-max=<int>", "thread-pool-min=<int>"));
        TYPES.put("thread-context", ObjectTypes::threadContext);
        HELP.put("thread-context", List.of("cpu-affinity=<int>", "node-affinity=<int>"));
        TYPES.put("pr-manager-helper", PrManagerCheck::apply);
        HELP.put("pr-manager-helper", List.of("path=<string>"));
    }

    private ObjectTypes() {}

    /** thread-context: lists of CPU / NUMA node numbers (uint16); it has no effect in a storage daemon. */
    private static void threadContext(Options o) {
        for (String k : List.of("cpu-affinity", "node-affinity")) {
            int i = 0;
            for (var v : o.list(k)) {
                long n;
                try {
                    n = v.isIntegralNumber() ? v.longValue() : o.keyval() && v.isTextual() ? Options.parseInteger(v.asText()) : -1;
                } catch (NumberFormatException e) {
                    throw new OptionException("Parameter '" + k + "[" + i + "]' expects uint16_t");
                }
                if (n < 0 || n > 0xFFFF) {
                    if (!v.isIntegralNumber() && !v.isTextual()) throw new OptionException("Invalid parameter type for '" + k + "[" + i + "]', expected: integer");
                    throw new OptionException("Parameter '" + k + "[" + i + "]' expects uint16_t");
                }
                i++;
            }
        }
    }

    private static void secret(Options o) {
        boolean data = o.has("data"), file = o.has("file");
        o.optString("data");
        o.optString("file");
        o.choice("format", "raw", "raw", "base64");
        o.optString("keyid");
        o.optString("iv");
        o.optBool("loaded");
        if (data && file) throw new OptionException("'data' and 'file' are mutually exclusive");
        if (!data && !file) throw new OptionException("Either 'file' or 'data' must be provided");
    }

    /** qemu loads the credential files when the object is created; so does this check. */
    private static void tls(Options o, String kind) {
        String dir = o.optString("dir").orElse(null);
        String endpoint = o.choice("endpoint", "client", "client", "server");
        boolean verify = o.bool("verify-peer", true);
        o.optString("priority");
        o.optBool("loaded");
        if (kind.equals("x509")) {
            o.optBool("sanity-check");
            o.optString("passwordid");
        }
        if (kind.equals("psk")) o.optString("username");
        if (kind.equals("anon") || dir == null) {
            if (!kind.equals("anon")) throw new OptionException("Unable to access credentials: no dir given");
            return;
        }
        Path d = Path.of(dir);
        List<String> need = switch (kind) {
            case "psk" -> List.of("keys.psk");
            default -> endpoint.equals("server")
                    ? (verify ? List.of("ca-cert.pem", "server-cert.pem", "server-key.pem") : List.of("server-cert.pem", "server-key.pem"))
                    : List.of("ca-cert.pem");
        };
        for (String f : need) {
            Path p = d.resolve(f);
            if (!Files.isReadable(p)) throw new OptionException("Unable to access credentials " + p + ": No such file or directory");
        }
    }
}
