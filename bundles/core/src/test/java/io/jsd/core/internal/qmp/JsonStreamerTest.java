package io.jsd.core.internal.qmp;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.Test;

/** The QMP input splitter and parser: qemu's messages and resynchronisation. */
public class JsonStreamerTest {
    /** Every message in {@code input}, as its JSON text or its error. */
    static List<String> messages(String input) throws Exception {
        return messages(input.getBytes(StandardCharsets.UTF_8));
    }

    static List<String> messages(byte[] input) throws Exception {
        JsonStreamer s = new JsonStreamer(new ByteArrayInputStream(input), false);
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
        JsonStreamer s = new JsonStreamer(new ByteArrayInputStream(new byte[0]), false);
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

    private static byte[] bytes(String ascii, byte... tail) {
        byte[] a = ascii.getBytes(StandardCharsets.ISO_8859_1);
        byte[] r = java.util.Arrays.copyOf(a, a.length + tail.length);
        System.arraycopy(tail, 0, r, a.length, tail.length);
        return r;
    }

    /** qemu's modified UTF-8: C0 80 is U+0000; overlong forms, surrogates, noncharacters and FE/FF are refused. */
    @Test
    public void invalidUtf8RefusedAsQemuDoes() throws Exception {
        String bad = "ERR JSON parse error, invalid UTF-8 sequence in string";
        for (byte[] seq : new byte[][] {{(byte) 0xC3, '('}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
                {(byte) 0xC3}, {(byte) 0x80}, {(byte) 0xEF, (byte) 0xBF, (byte) 0xBF}, {(byte) 0xE0, (byte) 0x80, (byte) 0xAF}, {(byte) 0xC1, (byte) 0xBF},
                {(byte) 0xEF, (byte) 0xB7, (byte) 0x90}, {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}}) {
            byte[] in = bytes("[\"", seq);
            in = bytes(new String(in, StandardCharsets.ISO_8859_1), (byte) '"', (byte) ']');
            assertEquals(List.of(bad), messages(in));
        }
        assertEquals(List.of("[\"\\u0000\"]"), messages(bytes("[\"", (byte) 0xC0, (byte) 0x80, (byte) '"', (byte) ']')));
        assertEquals(List.of("[\"\\u0000\"]"), messages("[\"\\u0000\"]"));
        assertEquals(List.of("ERR JSON parse error, \\uffff is not a valid Unicode character"), messages("[\"\\uffff\"]"));
        assertEquals(List.of("ERR JSON parse error, \\u12\" is not a valid Unicode character"), messages("[\"\\u12\"]"));
        // FE / FF never occur in UTF-8: an error token, then resynchronisation
        assertEquals(List.of("ERR JSON parse error, stray '\"\uFFFD'", "ERR JSON parse error, stray '\uFFFD'", "ERR JSON parse error, expecting value", "{}"),
                messages(bytes("{\"a\":\"", (byte) 0xFF, (byte) 0xFE, (byte) '"', (byte) '}', (byte) '{', (byte) '}')));
    }

    @Test
    public void numberErrorTokensAsQemu() throws Exception {
        assertEquals(List.of("ERR JSON parse error, stray '1.}'"), messages("{\"a\":1.}"));
        assertEquals(List.of("ERR JSON parse error, stray '-a'", "ERR JSON parse error, expecting value"), messages("{\"a\":-a}"));
        assertEquals(List.of("ERR JSON parse error, stray '01'", "ERR JSON parse error, expecting value"), messages("{\"a\":01}"));
        assertEquals(List.of("ERR JSON parse error, expected separator in dict"), messages("{\"a\":0e5}"));
    }

    /** Millions of digits parse in linear time, to qemu's values (strtod: inf, 0). */
    @Test(timeout = 20_000)
    public void hugeNumbersParseInLinearTime() throws Exception {
        String digits = "1".repeat(10 << 20);
        assertEquals(List.of("[\"Infinity\",\"-Infinity\",1.1111111111111112,\"Infinity\",0.0]"),
                messages("[" + digits + ",-" + digits + ",1." + digits + ",1e" + digits + ",1e-" + digits + "]"));
        assertEquals("inf", CDouble.format(Double.POSITIVE_INFINITY));
        assertEquals("1.8446744073709552e+19", CDouble.format(18446744073709551616.0));
        assertEquals("-9.2233720368547758e+18", CDouble.format(-9223372036854775809.0));
        assertEquals("1500", CDouble.format(1500.0));
        assertEquals("0.0001", CDouble.format(0.0001));
        assertEquals("1.0000000000000001e-05", CDouble.format(0.00001));
    }

    @Test
    public void limitsAsQemu() throws Exception {
        List<String> m = messages("{\"a\":" + "[".repeat(1024) + "]".repeat(1024) + "}");
        assertEquals("ERR JSON nesting depth limit exceeded", m.get(0));
        assertEquals(1026, m.size());
        m = messages("[" + "1,".repeat(1 << 20) + "1]");
        assertEquals("ERR JSON token count limit exceeded", m.get(0));
        m = messages("[\"" + "x".repeat((64 << 20) + 1) + "\"]\n{}");
        assertEquals("ERR JSON token size limit exceeded", m.get(0));
        assertEquals("{}", m.get(m.size() - 1));
    }
}
