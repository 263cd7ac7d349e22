package io.jsd.core.internal.qmp;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.Test;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import io.jsd.qmp.QmpCommand;
import io.jsd.qmp.QmpSchema;

/** One monitor session over an in-memory connection: greeting, negotiation, dispatch, errors. */
public class MonitorSessionTest {
    private static QmpCommand command(QmpSchema schema, java.util.function.BiFunction<io.jsd.options.Options, io.jsd.qmp.QmpSession, com.fasterxml.jackson.databind.JsonNode> body) {
        return new QmpCommand() {
            @Override public com.fasterxml.jackson.databind.JsonNode execute(io.jsd.options.Options a, io.jsd.qmp.QmpSession s) { return body.apply(a, s); }
            @Override public QmpSchema schema() { return schema; }
        };
    }

    private static String run(String input) {
        QmpDispatcherImpl d = new QmpDispatcherImpl();
        QmpCommand echo = command(QmpSchema.of(QmpSchema.args("echo", "say:str"), "any"),
                (args, session) -> JsonNodeFactory.instance.objectNode().put("said", args.string("say")));
        d.addCommand(echo, Map.of(QmpCommand.NAME_PROPERTY, "echo", "service.id", 1L));
        QmpCommand boom = command(QmpSchema.NO_ARGS, (args, session) -> { throw new io.jsd.options.OptionException("bad thing"); });
        d.addCommand(boom, Map.of(QmpCommand.NAME_PROPERTY, "boom", "service.id", 2L));
        QmpCommand oom = command(QmpSchema.NO_ARGS, (args, session) -> { throw new OutOfMemoryError("Java heap space"); });
        d.addCommand(oom, Map.of(QmpCommand.NAME_PROPERTY, "oom", "service.id", 3L));
        QmpCommand deep = command(QmpSchema.NO_ARGS, (args, session) -> recurse(0));
        d.addCommand(deep, Map.of(QmpCommand.NAME_PROPERTY, "deep", "service.id", 4L));
        QmpCommand npe = command(QmpSchema.NO_ARGS, (args, session) -> { throw new NullPointerException(); });
        d.addCommand(npe, Map.of(QmpCommand.NAME_PROPERTY, "npe", "service.id", 5L));
        Monitors hub = new Monitors(d);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        InputStream in = new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8));
        new MonitorSession(hub, new Connection() {
            @Override public InputStream in() { return in; }
            @Override public OutputStream out() { return out; }
            @Override public void close() { }
        }, false).run();
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    public void negotiationThenCommands() {
        String out = run("{\"execute\":\"echo\",\"arguments\":{\"say\":\"x\"}}\n{\"execute\":\"qmp_capabilities\"}\n"
                + "{\"execute\":\"echo\",\"arguments\":{\"say\":\"hi\"},\"id\":\"i1\"}\n"
                + "{\"execute\":\"echo\",\"arguments\":{\"say\":\"hi\",\"extra\":1}}\n"
                + "{\"execute\":\"boom\"}\n{\"execute\":\"nope\"}\n");
        String[] lines = out.split("\r\n");
        assertTrue(lines[0], lines[0].startsWith("{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 2, \"minor\": 0, \"major\": 10}"));
        assertTrue(lines[0], lines[0].endsWith("\"capabilities\": [\"oob\"]}}"));
        assertEquals("{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"Expecting capabilities negotiation with 'qmp_capabilities'\"}}", lines[1]);
        assertEquals("{\"return\": {}}", lines[2]);
        assertEquals("{\"return\": {\"said\": \"hi\"}, \"id\": \"i1\"}", lines[3]);
        assertEquals("{\"error\": {\"class\": \"GenericError\", \"desc\": \"Parameter 'extra' is unexpected\"}}", lines[4]);
        assertEquals("{\"error\": {\"class\": \"GenericError\", \"desc\": \"bad thing\"}}", lines[5]);
        assertEquals("{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"The command nope has not been found\"}}", lines[6]);
        assertEquals(7, lines.length);
    }

    private static com.fasterxml.jackson.databind.JsonNode recurse(int n) {
        return n < 0 ? null : recurse(n + 1);
    }

    /** Any Throwable in a command is that command's error reply, and the session goes on. */
    @Test
    public void throwablesInCommandsAreAnswered() {
        String out = run("{\"execute\":\"qmp_capabilities\"}\n{\"execute\":\"oom\",\"id\":1}\n{\"execute\":\"deep\",\"id\":2}\n"
                + "{\"execute\":\"npe\",\"id\":3}\n{\"execute\":\"echo\",\"arguments\":{\"say\":\"still here\"}}\n");
        String[] lines = out.split("\r\n");
        assertEquals("{\"id\": 1, \"error\": {\"class\": \"GenericError\", \"desc\": \"Cannot allocate memory\"}}", lines[2]);
        assertEquals("{\"id\": 2, \"error\": {\"class\": \"GenericError\", \"desc\": \"Stack overflow\"}}", lines[3]);
        assertEquals("{\"id\": 3, \"error\": {\"class\": \"GenericError\", \"desc\": \"java.lang.NullPointerException\"}}", lines[4]);
        assertEquals("{\"return\": {\"said\": \"still here\"}}", lines[5]);
    }

    /** A 50 MB message is read and answered like any other (QSD's limits are 64 MiB per message). */
    @Test
    public void fiftyMegabyteMessage() {
        String out = run("{\"execute\":\"qmp_capabilities\"}\n{\"execute\":\"echo\",\"arguments\":{\"say\":\"a\",\"big\":\""
                + "x".repeat(50 << 20) + "\"}}\n{\"execute\":\"echo\",\"arguments\":{\"say\":\"b\"}}\n");
        String[] lines = out.split("\r\n");
        assertEquals("{\"error\": {\"class\": \"GenericError\", \"desc\": \"Parameter 'big' is unexpected\"}}", lines[2]);
        assertEquals("{\"return\": {\"said\": \"b\"}}", lines[3]);
    }

    @Test
    public void requestShapeErrors() {
        String out = run("{\"execute\":\"qmp_capabilities\",\"arguments\":{\"enable\":[\"x\"]}}\n[]\n{\"id\":3}\n{\"execute\":\"a\",\"exec-oob\":\"b\"}\n");
        String[] lines = out.split("\r\n");
        // qemu names a list element's bad enum value 'null' (QSD 10.0.2)
        assertEquals("{\"error\": {\"class\": \"GenericError\", \"desc\": \"Parameter 'null' does not accept value 'x'\"}}", lines[1]);
        assertEquals("{\"error\": {\"class\": \"GenericError\", \"desc\": \"QMP input must be a JSON object\"}}", lines[2]);
        assertEquals("{\"id\": 3, \"error\": {\"class\": \"GenericError\", \"desc\": \"QMP input lacks member 'execute'\"}}", lines[3]);
        assertEquals("{\"error\": {\"class\": \"GenericError\", \"desc\": \"QMP input member 'exec-oob' is unexpected\"}}", lines[4]);
    }
}
