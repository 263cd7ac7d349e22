package io.jsd.core.internal.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntConsumer;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.runtime.ServiceComponentRuntime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.jsd.core.internal.objects.ObjectRegistryImpl;
import io.jsd.core.internal.qmp.JsonText;
import io.jsd.core.internal.qmp.Monitors;
import io.jsd.options.OptionException;
import io.jsd.options.Options;
import io.jsd.qmp.QmpDispatcher;
import io.jsd.qmp.QmpException;
import io.jsd.qmp.QmpSession;

/**
 * The QSD-compatible command line. The launcher registers its arguments as a service (an
 * {@link IntConsumer} with the property {@value #ARGS}); this component processes them in order,
 * running the QMP command of the same meaning for --blockdev, --export, --object and --nbd-server,
 * and tells the launcher the verdict: {@value #READY} (running) or an exit code.
 */
@Component(immediate = true)
public final class CommandLine {
    static final String ARGS = "jsd.launcher.args";
    static final int READY = -1;
    static final String PROG = "jsd";

    private static final Set<String> CHARDEV_KEYS = Set.of("backend", "id", "path", "host", "port", "server", "wait",
            "ipv4", "ipv6", "nodelay", "telnet", "websocket", "reconnect", "abstract", "tight", "mux", "logfile",
            "logappend", "signal", "to", "tn3270", "reconnect-ms", "delay", "fd", "tls-creds", "tls-authz");
    private static final Set<String> MONITOR_KEYS = Set.of("chardev", "mode", "pretty", "id");
    private static final QmpSession SESSION = () -> true;

    private final QmpDispatcher dispatcher;
    private final Monitors monitors;
    private final ObjectRegistryImpl objects;
    private final IntConsumer launcher;
    private final String[] args;
    private final String version;
    private volatile PidFile pidFile;

    @Activate
    public CommandLine(@Reference QmpDispatcher dispatcher, @Reference Monitors monitors, @Reference ObjectRegistryImpl objects,
            @Reference(service = IntConsumer.class, target = "(" + ARGS + "=*)") Map.Entry<Map<String, Object>, IntConsumer> launcher,
            @Reference ServiceComponentRuntime scr, BundleContext context) {
        this.dispatcher = dispatcher;
        this.monitors = monitors;
        this.objects = objects;
        this.launcher = launcher.getValue();
        Object a = launcher.getKey().get(ARGS);
        this.args = a instanceof String[] s ? s : new String[0];
        var v = context.getBundle().getVersion();
        this.version = v.getMajor() + "." + v.getMinor() + "." + v.getMicro();
        // Not on SCR's thread: a chardev with wait=on blocks until its client connects.
        Thread.ofPlatform().name("jsd-command-line").start(() -> {
            ComponentsSettled.await(context, scr, 10_000);
            run();
        });
    }

    @Deactivate
    void deactivate() {
        PidFile p = pidFile;
        if (p != null) p.close();
    }

    private void run() {
        int verdict;
        try {
            verdict = process(System.out);
        } catch (RuntimeException e) {
            System.err.println(PROG + ": " + e);
            verdict = 1;
        }
        System.out.flush();
        System.err.flush();
        launcher.accept(verdict);
    }

    /** Processes every option; returns READY or the exit code. */
    int process(PrintStream out) {
        List<CliOption> opts;
        try {
            opts = GetOpt.parse(args);
        } catch (GetOpt.UsageError e) {
            System.err.println(PROG + ": " + e.getMessage());
            return 1;
        }
        boolean daemonize = false;
        String pidPath = null;
        // First pass, like QSD's: options that shape the process itself.
        for (CliOption o : opts) {
            switch (o.name()) {
                case "-h", "--help" -> { out.print(Help.usage(PROG)); return 0; }
                case "-V", "--version" -> { out.print(Help.version(PROG, version)); return 0; }
                case "-T", "--trace" -> {
                    if (o.arg().equals("help")) return 0;
                }
                case "--daemonize" -> daemonize = true;
                case "--pidfile" -> pidPath = o.arg();
                default -> { }
            }
        }
        for (CliOption o : opts) {
            try {
                Integer exit = apply(o, daemonize, out);
                if (exit != null) return exit;
            } catch (OptionException e) {
                System.err.println(PROG + ": " + o.label() + ": " + e.getMessage());
                return 1;
            } catch (QmpException e) {
                System.err.println(PROG + ": " + o.label() + ": " + e.getMessage());
                if (e.getCause() instanceof io.jsd.block.BlockException b && b.hint() != null) System.err.println(b.hint());
                return 1;
            } catch (java.io.IOException e) {
                System.err.println(PROG + ": " + o.label() + ": " + e.getMessage());
                return 1;
            }
        }
        if (pidPath != null) {
            try {
                pidFile = PidFile.write(pidPath);
            } catch (OptionException e) {
                System.err.println(PROG + ": " + e.getMessage());
                return 1;
            }
        }
        return READY;
    }

    /** Applies one option; a non-null result means "exit now with this code". */
    private Integer apply(CliOption o, boolean daemonize, PrintStream out) throws QmpException, java.io.IOException {
        switch (o.name()) {
            case "" -> throw new OptionException("Unexpected argument");
            case "--blockdev" -> dispatch("blockdev-add", o.arg(), "driver");
            case "--export" -> dispatch("block-export-add", o.arg(), "type");
            case "--nbd-server" -> dispatch("nbd-server-start", o.arg(), null);
            case "--object" -> { return object(o.arg(), out); }
            case "--chardev" -> {
                if (o.arg().equals("help")) {
                    out.println("Available chardev backend types:\n  socket\n  stdio");
                    return 0;
                }
                monitors.addChardev(new Options(QemuOpts.parse(o.arg(), "backend", CHARDEV_KEYS), "", true), daemonize);
            }
            case "--monitor" -> monitor(o.arg());
            default -> { }
        }
        return null;
    }

    private void dispatch(String command, String text, String impliedKey) throws QmpException {
        Options args;
        if (text.startsWith("{")) {
            JsonNode n = JsonText.parse(text);
            if (!n.isObject()) throw new OptionException("Invalid parameter type, expected: object");
            args = Options.of((ObjectNode) n);
        } else {
            Keyval.Parsed p = Keyval.parse(text, impliedKey);
            if (p.help()) throw new OptionException("Help is not available for this option");
            args = new Options(p.options(), "", true);
        }
        dispatcher.dispatch(command, args, SESSION);
    }

    private Integer object(String text, PrintStream out) throws QmpException {
        if (!text.startsWith("{")) {
            Keyval.Parsed p = Keyval.parse(text, "qom-type");
            if (p.help()) {
                JsonNode type = p.options().get("qom-type");
                if (type == null) {
                    out.println("List of user creatable objects:");
                    for (String t : objects.helpTypes()) out.println("  " + t);
                    return 0;
                }
                List<String> props = objects.help(type.asText());
                if (props == null) throw new OptionException("invalid object type: " + type.asText());
                if (props.isEmpty()) out.println("There are no options for " + type.asText() + ".");
                else {
                    out.println(type.asText() + " options:");
                    for (String prop : props) out.println("  " + prop);
                }
                return 0;
            }
        }
        dispatch("object-add", text, "qom-type");
        return null;
    }

    private void monitor(String text) {
        if (Keyval.split(text).contains("help")) throw new OptionException("Help is not available for this option");
        Options o = new Options(QemuOpts.parse(text, "chardev", MONITOR_KEYS), "", true);
        String chardev = o.optString("chardev").orElseThrow(() -> new OptionException("Parameter 'chardev' is missing"));
        String mode = o.choice("mode", "control", "control", "readline");
        boolean pretty = o.bool("pretty", false);
        o.optString("id");
        if (mode.equals("readline") && monitors.hasChardev(chardev)) throw new OptionException("Only QMP is supported");
        monitors.addMonitor(chardev, pretty);
    }
}
