package io.jsd.core.internal.qmp;

import java.io.IOException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.JsonNode;

import io.jsd.options.OptionException;

/** Parses one JSON value from text with qemu's parser and messages (for --blockdev '{...}'). */
public final class JsonText {
    private JsonText() {}

    public static JsonNode parse(String text) {
        try {
            JsonStreamer.Message m = new JsonStreamer(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), true).next();
            if (m == null) throw new OptionException("JSON parse error, premature EOI");
            if (m.error() != null) throw new OptionException(m.error());
            return JsonParser.parse(m.tokens());
        } catch (JsonParser.ParseError e) {
            throw new OptionException(e.getMessage());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
