package io.jsd.core.internal.qmp;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.jsd.options.OptionException;
import io.jsd.options.Options;
import io.jsd.qmp.QmpException;
import io.jsd.qmp.QmpSession;

/**
 * One QMP client on one monitor: greeting, capabilities negotiation, then commands in order. Bad
 * input gets qemu's error reply and costs nothing else; a write failure (the client left) ends the
 * session only.
 */
final class MonitorSession implements QmpSession {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private final Monitors hub;
    private final Connection conn;
    private final boolean pretty;
    private final Object writeLock = new Object();
    private volatile boolean commandMode;
    private volatile boolean broken;
    /** True from reading a request until its reply is written (shutdown waits for it: quit's reply). */
    private volatile boolean busy;
    private boolean oob;

    MonitorSession(Monitors hub, Connection conn, boolean pretty) {
        this.hub = hub;
        this.conn = conn;
        this.pretty = pretty;
    }

    @Override public boolean commandLine() { return false; }

    boolean commandMode() { return commandMode; }

    void run() {
        try {
            ObjectNode greeting = F.objectNode();
            ObjectNode qmp = greeting.putObject("QMP");
            qmp.set("version", hub.version());
            qmp.putArray("capabilities").add("oob");
            send(greeting);
            JsonStreamer streamer = new JsonStreamer(conn.in(), false);
            while (!broken) {
                JsonStreamer.Message m = streamer.next();
                if (m == null) break;
                if (m.error() != null) {
                    send(error(null, QmpException.GENERIC_ERROR, m.error()));
                    continue;
                }
                JsonNode req;
                try {
                    req = JsonParser.parse(m.tokens());
                } catch (JsonParser.ParseError e) {
                    send(error(null, QmpException.GENERIC_ERROR, e.getMessage()));
                    continue;
                } catch (VirtualMachineError e) {
                    // The limits bound a message, not the heap: a message too big for what is free costs only itself.
                    m = null;
                    send(error(null, QmpException.GENERIC_ERROR, failure(e)));
                    continue;
                }
                m = null;
                busy = true;
                try {
                    ObjectNode reply = handle(req);
                    req = null;
                    sendReply(reply);
                } finally {
                    busy = false;
                }
            }
        } catch (IOException e) {
            // The client went away (possibly mid-command): only this session ends.
        } finally {
            hub.sessionEnded(this);
        }
    }

    /** Checks the request's shape as qemu's qmp_dispatch does, then runs it. */
    ObjectNode handle(JsonNode req) {
        if (!req.isObject()) return error(null, QmpException.GENERIC_ERROR, "QMP input must be a JSON object");
        JsonNode id = req.get("id");
        String execute = null, execOob = null;
        ObjectNode args = null;
        Iterator<Map.Entry<String, JsonNode>> it = req.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String k = e.getKey();
            JsonNode v = e.getValue();
            switch (k) {
                case "execute" -> {
                    if (!v.isTextual()) return error(id, QmpException.GENERIC_ERROR, "QMP input member 'execute' must be a string");
                    execute = v.textValue();
                }
                case "exec-oob" -> {
                    if (!oob) return error(id, QmpException.GENERIC_ERROR, "QMP input member 'exec-oob' is unexpected");
                    if (!v.isTextual()) return error(id, QmpException.GENERIC_ERROR, "QMP input member 'exec-oob' must be a string");
                    execOob = v.textValue();
                }
                case "arguments" -> {
                    if (!v.isObject()) return error(id, QmpException.GENERIC_ERROR, "QMP input member 'arguments' must be an object");
                    args = (ObjectNode) v;
                }
                case "id" -> { }
                default -> { return error(id, QmpException.GENERIC_ERROR, "QMP input member '" + k + "' is unexpected"); }
            }
        }
        if (execute == null && execOob == null) return error(id, QmpException.GENERIC_ERROR, "QMP input lacks member 'execute'");
        if (execute != null && execOob != null) {
            return error(id, QmpException.GENERIC_ERROR, "QMP input must not contain both 'execute' and 'exec-oob'");
        }
        if (execOob != null) return error(id, QmpException.GENERIC_ERROR, "The command " + execOob + " does not support OOB");
        if (args == null) args = F.objectNode();
        try {
            JsonNode ret = "qmp_capabilities".equals(execute) ? capabilities(args) : command(execute, args);
            ObjectNode reply = F.objectNode();
            reply.set("return", ret);
            if (id != null) reply.set("id", id);
            return reply;
        } catch (QmpException e) {
            return error(id, e.errorClass(), e.getMessage());
        } catch (Throwable e) {
            // Whatever a command throws (a bug, no memory, a stack overflow) is its error reply; the monitor goes on.
            return error(id, QmpException.GENERIC_ERROR, failure(e));
        }
    }

    /** The error text for a failure no command reports itself. */
    static String failure(Throwable e) {
        if (e instanceof OutOfMemoryError) return "Cannot allocate memory";
        if (e instanceof StackOverflowError) return "Stack overflow";
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }

    /** Sends a reply; one too big to write out is replaced by an error with the same id. */
    private void sendReply(ObjectNode reply) throws IOException {
        String text;
        try {
            text = render(reply);
        } catch (VirtualMachineError e) {
            JsonNode id = reply.get("id");
            reply = null;
            text = render(error(id, QmpException.GENERIC_ERROR, failure(e)));
        }
        write(text);
    }

    private JsonNode capabilities(ObjectNode args) throws QmpException {
        // QSD checks the arguments first in both modes (then refuses in command mode)
        if (commandMode) return hub.dispatcher().dispatch("qmp_capabilities", Options.of(args), this);
        Options o = Options.of(args);
        boolean wantOob;
        try {
            QmpCapabilitiesCommand.check(args);
            wantOob = !o.list("enable").isEmpty();
        } catch (OptionException e) {
            throw QmpException.generic(e.getMessage());
        }
        oob = wantOob;
        commandMode = true;
        return F.objectNode();
    }

    private JsonNode command(String name, ObjectNode args) throws QmpException {
        if (!commandMode) throw new QmpException(QmpException.COMMAND_NOT_FOUND, "Expecting capabilities negotiation with 'qmp_capabilities'");
        return hub.dispatcher().dispatch(name, Options.of(args), this);
    }

    static ObjectNode error(JsonNode id, String cls, String desc) {
        ObjectNode reply = F.objectNode();
        if (id != null) reply.set("id", id);
        ObjectNode err = reply.putObject("error");
        err.put("class", cls);
        err.put("desc", desc);
        return reply;
    }

    /** Sends one message (a reply or an event) as one line ending in CRLF, as qemu does. */
    void send(ObjectNode message) throws IOException {
        write(render(message));
    }

    private String render(ObjectNode message) {
        // qemu's monitor turns every "\n" of its output into "\r\n", inside pretty output too.
        String text = QmpJson.write(message, pretty);
        if (pretty) text = text.replace("\n", "\r\n");
        return text;
    }

    private void write(String text) throws IOException {
        byte[] bytes = (text + "\r\n").getBytes(StandardCharsets.UTF_8);
        synchronized (writeLock) {
            try {
                OutputStream out = conn.out();
                out.write(bytes);
                out.flush();
            } catch (IOException e) {
                broken = true;
                conn.close();
                throw e;
            }
        }
    }

    /** Sends an event, dropping this session if the client is gone. */
    void event(ObjectNode event) {
        if (!commandMode || broken) return;
        try {
            send(event);
        } catch (IOException e) {
            // sessionEnded runs from the reader thread.
        }
    }

    /** Closes the client, first letting a reply being written finish (bounded wait). */
    void close() {
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (busy && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        conn.close();
    }
}
