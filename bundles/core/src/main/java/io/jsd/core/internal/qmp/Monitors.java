package io.jsd.core.internal.qmp;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.jsd.options.OptionException;
import io.jsd.options.Options;
import io.jsd.qmp.QmpDispatcher;
import io.jsd.qmp.QmpEvents;
import io.jsd.qmp.QmpException;
import io.jsd.qmp.QmpSession;

/**
 * The chardevs and QMP monitors of this daemon, and the event fan-out to every client that has
 * left negotiation mode. The command line adds chardevs and monitors; deactivation closes them all.
 */
@Component(service = {Monitors.class, QmpEvents.class}, immediate = true)
public final class Monitors implements QmpEvents {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    /** The QSD release whose interface JSD implements; query-version reports it. */
    public static final int QEMU_MAJOR = 10, QEMU_MINOR = 0, QEMU_MICRO = 2;

    private final Map<String, Chardev> chardevs = new LinkedHashMap<>();
    private final Set<MonitorSession> sessions = new CopyOnWriteArraySet<>();

    @Reference
    private QmpDispatcher dispatcher;

    public Monitors() {}

    /** For tests: a hub over a given dispatcher, without SCR. */
    Monitors(QmpDispatcher dispatcher) { this.dispatcher = dispatcher; }

    QmpDispatcher dispatcher() { return dispatcher; }

    /** query-version's answer (from the installed command, so the greeting and the command agree). */
    JsonNode version() {
        if (dispatcher.commands().contains("query-version")) {
            try {
                return dispatcher.dispatch("query-version", Options.of(F.objectNode()), COMMAND_LINE);
            } catch (QmpException e) {
                // Fall back to core's own answer.
            }
        }
        return defaultVersion("JSD");
    }

    public static ObjectNode defaultVersion(String pkg) {
        ObjectNode v = F.objectNode();
        ObjectNode q = v.putObject("qemu");
        q.put("micro", QEMU_MICRO);
        q.put("minor", QEMU_MINOR);
        q.put("major", QEMU_MAJOR);
        v.put("package", pkg);
        return v;
    }

    private static final QmpSession COMMAND_LINE = () -> true;

    /** --chardev: socket (path= or host=/port=, server=, wait=) or stdio. */
    public synchronized void addChardev(Options o, boolean daemonize) throws IOException {
        String backend = o.string("backend");
        String id = o.optString("id").orElseThrow(() -> new OptionException("chardev: no id specified"));
        Chardev c;
        switch (backend) {
            case "socket" -> {
                SocketChardevOptions so = SocketChardevOptions.parse(o);
                o.checkAllUsed();
                if (chardevs.containsKey(id)) throw new OptionException("attempt to add duplicate property '" + id + "' to object (type 'container')");
                c = new SocketChardev(id, so);
            }
            case "stdio" -> {
                // JSD leaves the terminal as it is, so Ctrl-C always signals: signal=on is all it can do
                if (!o.bool("signal", true)) throw new OptionException("chardev: stdio: 'signal=off' is not supported by JSD");
                if (o.bool("mux", false)) throw new OptionException("chardev: stdio: 'mux' is not supported by JSD");
                if (o.has("logfile")) throw new OptionException("chardev: stdio: 'logfile' is not supported by JSD");
                o.bool("logappend", false);
                o.checkAllUsed();
                if (daemonize) throw new OptionException("cannot use stdio with -daemonize");
                if (chardevs.containsKey(id)) throw new OptionException("attempt to add duplicate property '" + id + "' to object (type 'container')");
                c = new StdioChardev(id);
            }
            default -> throw new OptionException("'" + backend + "' is not a valid char driver name");
        }
        chardevs.put(id, c);
    }

    /** --monitor: a QMP monitor on an existing chardev. */
    public synchronized void addMonitor(String chardevId, boolean pretty) {
        Chardev c = chardevs.get(chardevId);
        if (c == null) throw new OptionException("chardev \"" + chardevId + "\" not found");
        if (c.frontendOpen()) throw new OptionException("chardev '" + chardevId + "' is already in use");
        c.attach(conn -> {
            MonitorSession s = new MonitorSession(this, conn, pretty);
            sessions.add(s);
            s.run();
        });
    }

    public synchronized boolean hasChardev(String id) { return chardevs.containsKey(id); }

    void sessionEnded(MonitorSession s) { sessions.remove(s); }

    /** query-chardev's list. */
    public synchronized List<ObjectNode> chardevInfo() {
        List<ObjectNode> out = new ArrayList<>();
        for (Chardev c : chardevs.values()) {
            ObjectNode n = F.objectNode();
            n.put("frontend-open", c.frontendOpen());
            n.put("filename", c.filename());
            n.put("label", c.id());
            out.add(n);
        }
        return out;
    }

    @Override
    public void emit(String name, ObjectNode data) {
        Instant now = Instant.now();
        ObjectNode ev = F.objectNode();
        ObjectNode ts = ev.putObject("timestamp");
        ts.put("seconds", now.getEpochSecond());
        ts.put("microseconds", now.getNano() / 1000);
        ev.put("event", name);
        if (data != null) ev.set("data", data);
        for (MonitorSession s : sessions) s.event(ev);
    }

    @Deactivate
    synchronized void closeAll() {
        for (MonitorSession s : sessions) s.close();
        for (Chardev c : chardevs.values()) c.close();
        chardevs.clear();
    }
}
