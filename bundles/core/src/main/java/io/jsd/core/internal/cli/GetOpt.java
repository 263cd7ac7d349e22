package io.jsd.core.internal.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * getopt_long as QSD uses it ("-hT:V" plus the long options, arguments in order, unique prefixes of
 * long options accepted, "--opt=value" or "--opt value"), with glibc's messages.
 */
final class GetOpt {
    /** Long option name to whether it takes an argument. */
    static final Map<String, Boolean> LONG = new TreeMap<>(Map.ofEntries(
            Map.entry("blockdev", true), Map.entry("chardev", true), Map.entry("daemonize", false),
            Map.entry("export", true), Map.entry("help", false), Map.entry("monitor", true),
            Map.entry("nbd-server", true), Map.entry("object", true), Map.entry("pidfile", true),
            Map.entry("trace", true), Map.entry("version", false)));

    static final class UsageError extends Exception {
        private static final long serialVersionUID = 1L;

        UsageError(String message) { super(message, null, false, false); }
    }

    private GetOpt() {}

    /** Parses all arguments; a non-option argument becomes an option named "" (QSD: "Unexpected argument"). */
    static List<CliOption> parse(String[] args) throws UsageError {
        List<CliOption> out = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.startsWith("--") && a.length() > 2) {
                String body = a.substring(2);
                int eq = body.indexOf('=');
                String given = eq < 0 ? body : body.substring(0, eq);
                String name = resolve(given, a);
                boolean hasArg = LONG.get(name);
                String arg = null;
                if (hasArg) {
                    if (eq >= 0) arg = body.substring(eq + 1);
                    else if (i + 1 < args.length) arg = args[++i];
                    else throw new UsageError("option '--" + name + "' requires an argument");
                } else if (eq >= 0) {
                    throw new UsageError("option '--" + name + "' doesn't allow an argument");
                }
                out.add(new CliOption("--" + name, arg));
            } else if (a.equals("--")) {
                for (i++; i < args.length; i++) out.add(new CliOption("", args[i]));
            } else if (a.startsWith("-") && a.length() > 1) {
                for (int k = 1; k < a.length(); k++) {
                    char c = a.charAt(k);
                    switch (c) {
                        case 'h', 'V' -> out.add(new CliOption("-" + c, null));
                        case 'T' -> {
                            String arg;
                            if (k + 1 < a.length()) arg = a.substring(k + 1);
                            else if (i + 1 < args.length) arg = args[++i];
                            else throw new UsageError("option requires an argument -- 'T'");
                            out.add(new CliOption("-T", arg));
                            k = a.length();
                        }
                        default -> throw new UsageError("invalid option -- '" + c + "'");
                    }
                }
            } else {
                out.add(new CliOption("", a));
            }
        }
        return out;
    }

    private static String resolve(String given, String written) throws UsageError {
        if (LONG.containsKey(given)) return given;
        List<String> matches = LONG.keySet().stream().filter(n -> n.startsWith(given)).toList();
        if (matches.size() == 1) return matches.get(0);
        if (matches.isEmpty()) throw new UsageError("unrecognized option '" + written + "'");
        StringBuilder sb = new StringBuilder("option '" + written + "' is ambiguous; possibilities:");
        for (String m : matches) sb.append(" '--").append(m).append("'");
        throw new UsageError(sb.toString());
    }
}
