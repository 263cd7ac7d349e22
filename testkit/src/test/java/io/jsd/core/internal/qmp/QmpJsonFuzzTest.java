package io.jsd.core.internal.qmp;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import io.jsd.options.OptionException;
import io.jsd.testkit.fuzz.FuzzTarget;

/**
 * Fuzzes the QMP JSON lexer, streamer and parser (core's JsonStreamer / JsonParser) with bytes as
 * a monitor client sends them, and as option text ({@code --blockdev '{...}'}, JsonText).
 * Invariant: every input ends in values or qemu's parse errors (ParseError, OptionException),
 * never another exception, a hang, StackOverflowError or OutOfMemoryError; the streamer makes
 * progress (no more messages than bytes).
 *
 * <p>It lives in testkit's tests because core cannot depend on testkit (which depends on core).
 */
public class QmpJsonFuzzTest extends FuzzTarget {
    public static final int MAX_LEN = 16384;

    public static void fuzzerTestOneInput(byte[] data) throws IOException {
        // the monitor's way: a byte stream (the lexer checks UTF-8 as qemu's), an unfinished message at EOF dropped
        JsonStreamer s = new JsonStreamer(new ByteArrayInputStream(data), false);
        int messages = 0;
        for (JsonStreamer.Message m = s.next(); m != null; m = s.next()) {
            if (++messages > data.length + 1) throw new AssertionError("more messages than input bytes: the streamer does not advance");
            if (m.error() != null) continue;
            try {
                JsonParser.parse(m.tokens()).toString();
            } catch (JsonParser.ParseError e) {
                // a QMP error reply
            }
        }
        // the command line's way: one value, flushed at the end
        try {
            JsonText.parse(new String(data, StandardCharsets.UTF_8)).toString();
        } catch (OptionException e) {
            // qemu's parse error for the option
        }
    }
}
