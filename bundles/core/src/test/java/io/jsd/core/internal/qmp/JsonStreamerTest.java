package io.jsd.core.internal.qmp;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;

import org.junit.Test;

/** The QMP input splitter and parser: qemu's messages and resynchronisation. */
public class JsonStreamerTest {
    /** Every message in {@code input}, as its JSON text or its error. */
    static List<String> messages(String input) throws Exception {
        JsonStreamer s = new JsonStreamer(new StringReader(input), false);
        List<String> out = new ArrayList<>();
        for (JsonStreamer.Message m = s.next(); m != null; m = s.next()) {
            if (m.error() != null) {
                out.add("ERR " + m.error());
                continue;
            }
            try {
                out.add(JsonParser.parse(m.tokens()).toString());
            } catch (JsonParser.ParseError e) {
                out.add("ERR " + e.getMessage());
            }
        }
        return out;
    }

    @Test
    public void messagesNeedNoNewlinesAndMaySpanLines() throws Exception {
        assertEquals(List.of("{\"a\":1}", "{\"b\":[true,null]}", "{\"c\":\"x\"}"),
                messages("{\"a\": 1}{\"b\":\n [true, null]}\r\n{'c': 'x'}"));
    }

    @Test
    public void qemuParseErrors() throws Exception {
        assertEquals(List.of("ERR JSON parse error, invalid keyword 'bad'"), messages("{bad json}"));
        assertEquals(List.of("ERR JSON parse error, duplicate key"), messages("{\"a\":1,\"a\":2}"));
        assertEquals(List.of("ERR JSON parse error, expecting value"), messages("}"));
        assertEquals(List.of("ERR JSON parse error, key is not a string in object"), messages("{1:2}"));
        assertEquals(List.of("ERR JSON parse error, missing : in object pair"), messages("{\"a\" 1}"));
        assertEquals(List.of("ERR JSON parse error, expected separator in dict"), messages("{\"a\":1 \"b\":2}"));
        assertEquals(List.of("ERR JSON parse error, invalid escape sequence in string"), messages("[\"\\x\"]"));
    }

    @Test
    public void badTokenCostsOnlyItsMessage() throws Exception {
        assertEquals(List.of("ERR JSON parse error, stray '\uFFFD'", "{\"ok\":1}"), messages("\uFFFD{\"ok\":1}"));
        assertEquals(List.of("ERR JSON parse error, stray '\"a\u0001'", "ERR JSON parse error, expecting value", "{}"),
                messages("{\"x\":\"a\u0001b\"}\n{}"));
    }

    @Test
    public void nestingLimitResetsTheLexer() throws Exception {
        List<String> m = messages("[".repeat(1030) + "]".repeat(5) + "{}");
        assertEquals("ERR JSON nesting depth limit exceeded", m.get(0));
        assertEquals("[[[[[]]]]]", m.get(1));
        assertEquals("{}", m.get(2));
    }

    @Test
    public void unfinishedMessageAtEndIsDropped() throws Exception {
        assertEquals(List.of("{}"), messages("{}{\"a\":"));
        JsonStreamer s = new JsonStreamer(new StringReader(""), false);
        assertNull(s.next());
    }

    @Test
    public void numbersAndUnicode() throws Exception {
        assertEquals(List.of("[1,-2,18446744073709551615,1.5,\"é😀\"]"), messages("[1, -2, 18446744073709551615, 1.5, \"\\u00e9\\ud83d\\ude00\"]"));
    }

    @Test
    public void writesLikeQemu() {
        var n = JsonText.parse("{\"return\": {\"a\": [1, 2.0, \"\u00e9\"]}, \"id\": 1}");
        assertEquals("{\"return\": {\"a\": [1, 2, \"\\u00E9\"]}, \"id\": 1}", QmpJson.write(n, false));
        assertEquals("{\n    \"a\": [\n        1\n    ],\n    \"b\": {\n    }\n}", QmpJson.write(JsonText.parse("{\"a\":[1],\"b\":{}}"), true));
    }
}
