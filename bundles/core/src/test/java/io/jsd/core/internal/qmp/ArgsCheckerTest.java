package io.jsd.core.internal.qmp;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.Map;

import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.jsd.options.OptionException;
import io.jsd.options.Options;
import io.jsd.options.QapiType;
import io.jsd.qmp.QmpCommand;
import io.jsd.qmp.QmpException;
import io.jsd.qmp.QmpSchema;
import io.jsd.qmp.QmpSession;

/**
 * The argument checks in qemu's order and words (the texts were taken from qemu-storage-daemon
 * 10.0.2 side by side; QmpValidationIT repeats them against a running QSD), for JSON and for
 * key=value arguments, and the dispatcher running nothing when they fail.
 */
public class ArgsCheckerTest {
    private static final ObjectMapper M = new ObjectMapper();
    private static final TypeSet TYPES = new TypeSet()
            .add(QapiType.struct("args", "id:str", "n?:int", "q?:uint16", "s?:size", "b?:bool", "mode?:Mode", "list?:[int]",
                    "ref?:Ref", "sub?:Sub"))
            .add(QapiType.enumeration("Mode", "safe", "hard"))
            .add(QapiType.alternate("Ref", "Sub", "str"))
            .add(QapiType.struct("Sub", "kind:Kind", "x?:bool").union("kind", "a", "SubA"))
            .add(QapiType.enumeration("Kind", "a", "b"))
            .add(QapiType.struct("SubA", "a:int"));

    private static String json(String args) {
        try {
            new ArgsChecker(TYPES, false).check((ObjectNode) M.readTree(args), "args");
            return "ok";
        } catch (OptionException e) {
            return e.getMessage();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String keyval(String args) {
        try {
            new ArgsChecker(TYPES, true).check((ObjectNode) M.readTree(args), "args");
            return "ok";
        } catch (OptionException e) {
            return e.getMessage();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    public void jsonChecksInQemuOrder() {
        assertEquals("ok", json("{\"id\":\"a\",\"n\":-1,\"q\":65535,\"s\":18446744073709551615,\"mode\":\"hard\",\"list\":[1,2]}"));
        assertEquals("Parameter 'id' is missing", json("{\"x\":1}"));
        assertEquals("Invalid parameter type for 'id', expected: string", json("{\"id\":1,\"x\":1}"));
        assertEquals("Parameter 'x' is unexpected", json("{\"id\":\"a\",\"x\":1}"));
        assertEquals("Invalid parameter type for 'n', expected: integer", json("{\"id\":\"a\",\"n\":1.5}"));
        assertEquals("Invalid parameter type for 'n', expected: integer", json("{\"id\":\"a\",\"n\":18446744073709551615}"));
        assertEquals("Parameter 'q' expects uint16_t", json("{\"id\":\"a\",\"q\":65536}"));
        assertEquals("Parameter 's' expects uint64", json("{\"id\":\"a\",\"s\":\"1\"}"));
        assertEquals("Invalid parameter type for 'b', expected: boolean", json("{\"id\":\"a\",\"b\":\"on\"}"));
        assertEquals("Parameter 'mode' does not accept value 'soft'", json("{\"id\":\"a\",\"mode\":\"soft\"}"));
        assertEquals("Invalid parameter type for 'mode', expected: string", json("{\"id\":\"a\",\"mode\":1}"));
        assertEquals("Invalid parameter type for 'list', expected: array", json("{\"id\":\"a\",\"list\":1}"));
        assertEquals("Invalid parameter type for 'list[1]', expected: integer", json("{\"id\":\"a\",\"list\":[1,\"x\"]}"));
    }

    @Test
    public void nestedObjectsUnionsAndAlternates() {
        assertEquals("ok", json("{\"id\":\"a\",\"ref\":\"node\"}"));
        assertEquals("ok", json("{\"id\":\"a\",\"ref\":{\"kind\":\"a\",\"a\":1}}"));
        assertEquals("ok", json("{\"id\":\"a\",\"sub\":{\"kind\":\"b\"}}"));
        assertEquals("Invalid parameter type for 'ref', expected: Ref", json("{\"id\":\"a\",\"ref\":1}"));
        assertEquals("Parameter 'ref.a' is missing", json("{\"id\":\"a\",\"ref\":{\"kind\":\"a\"}}"));
        assertEquals("Parameter 'sub.a' is unexpected", json("{\"id\":\"a\",\"sub\":{\"kind\":\"b\",\"a\":1}}"));
        assertEquals("Invalid parameter type for 'sub.x', expected: boolean", json("{\"id\":\"a\",\"sub\":{\"kind\":\"b\",\"x\":1}}"));
        assertEquals("Parameter 'kind' does not accept value 'c'", json("{\"id\":\"a\",\"sub\":{\"kind\":\"c\"}}"));
        assertEquals("Invalid parameter type for 'sub', expected: object", json("{\"id\":\"a\",\"sub\":[]}"));
    }

    @Test
    public void keyvalStringsConvertAsQemusKeyvalVisitor() {
        assertEquals("ok", keyval("{\"id\":\"a\",\"n\":\"0x10\",\"s\":\"64k\",\"b\":\"on\",\"list\":{\"0\":\"1\",\"1\":\"2\"},\"ref\":\"n\"}"));
        assertEquals("Parameter 'n' expects integer", keyval("{\"id\":\"a\",\"n\":\"ten\"}"));
        assertEquals("Parameter 's' expects size", keyval("{\"id\":\"a\",\"s\":\"1Q\"}"));
        assertEquals("ok", keyval("{\"id\":\"a\",\"b\":\"yes\"}"));
        assertEquals("Parameter 'b' expects 'on' or 'off'", keyval("{\"id\":\"a\",\"b\":\"ON\"}"));
        assertEquals("Parameter 'q' expects uint16_t", keyval("{\"id\":\"a\",\"q\":\"70000\"}"));
        assertEquals("Parameters 'id.*' are unexpected", keyval("{\"id\":{\"x\":\"1\"}}"));
        assertEquals("Parameter 'list.1' expects integer", keyval("{\"id\":\"a\",\"list\":{\"0\":\"1\",\"1\":\"x\"}}"));
        assertEquals("Parameter 'list.1' missing", keyval("{\"id\":\"a\",\"list\":{\"0\":\"1\",\"2\":\"3\"}}"));
        assertEquals("Parameter 'ref.a' is missing", keyval("{\"id\":\"a\",\"ref\":{\"kind\":\"a\"}}"));
    }

    @Test
    public void dispatcherRunsNothingOnBadArguments() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        QmpDispatcherImpl d = new QmpDispatcherImpl();
        d.addCommand(new QmpCommand() {
            @Override public JsonNode execute(Options args, QmpSession session) { runs.incrementAndGet(); return null; }
            @Override public QmpSchema schema() { return QmpSchema.of(QmpSchema.args("del", "node-name:str"), "0"); }
        }, Map.of(QmpCommand.NAME_PROPERTY, "del", "service.id", 1L));
        QmpSession session = () -> false;
        QmpException e = assertThrows(QmpException.class, () ->
                d.dispatch("del", Options.of((ObjectNode) M.readTree("{\"node-name\":\"n\",\"x\":1}")), session));
        assertEquals("GenericError", e.errorClass());
        assertEquals("Parameter 'x' is unexpected", e.getMessage());
        assertEquals(0, runs.get());
        d.dispatch("del", Options.of((ObjectNode) M.readTree("{\"node-name\":\"n\"}")), session);
        assertEquals(1, runs.get());
        JsonNode schema = d.introspect();
        boolean listed = false;
        for (JsonNode n : schema) listed |= n.path("name").asText().equals("del") && n.path("arg-type").asText().equals("q_obj_del-arg");
        assertEquals(true, listed);
    }
}
