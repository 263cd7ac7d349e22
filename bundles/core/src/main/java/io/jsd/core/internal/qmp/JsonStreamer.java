package io.jsd.core.internal.qmp;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import io.jsd.core.internal.qmp.JsonToken.Type;

/**
 * Splits a QMP byte stream into messages the way qemu's json-streamer does: messages need no
 * newline between them, may span lines, and a bad token costs only the message it is in. Each call
 * to {@link #next()} returns the tokens of one message, or an error message, or null at end of
 * input. The limits are qemu's and bound the memory one message can take: 64 MiB of tokens, 2 Mi
 * tokens, nesting 1024; past one, the message so far is dropped and the stream goes on from there.
 */
final class JsonStreamer {
    static final long MAX_TOKEN_SIZE = 64L << 20;
    static final int MAX_TOKEN_COUNT = 2 << 20;
    static final int MAX_NESTING = 1 << 10;

    /** Either tokens of one complete top-level value, or an error text. */
    record Message(List<JsonToken> tokens, String error) {}

    private final JsonLexer lexer;
    private final boolean flushAtEof;

    /** @param flushAtEof hand an unfinished message to the parser at end of input (qemu's flush), for option text */
    JsonStreamer(InputStream in, boolean flushAtEof) {
        this.lexer = new JsonLexer(in, flushAtEof);
        this.flushAtEof = flushAtEof;
    }

    Message next() throws IOException {
        try {
            return message();
        } catch (OutOfMemoryError e) {
            // A message within the limits may still not fit in what the heap has free: it alone is lost.
            lexer.abandon();
            return new Message(null, "Cannot allocate memory");
        }
    }

    private Message message() throws IOException {
        List<JsonToken> tokens = new ArrayList<>();
        int braces = 0, brackets = 0;
        long size = 0;
        while (true) {
            JsonToken t = lexer.next();
            if (t == null) return flushAtEof && !tokens.isEmpty() ? new Message(tokens, null) : null;
            switch (t.type()) {
                case LCURLY -> braces++;
                case RCURLY -> braces--;
                case LSQUARE -> brackets++;
                case RSQUARE -> brackets--;
                case ERROR -> { return new Message(null, "JSON parse error, stray '" + t.printable() + "'"); }
                default -> { }
            }
            if (size + t.length() + 1 > MAX_TOKEN_SIZE) return new Message(null, "JSON token size limit exceeded");
            if (tokens.size() + 1 > MAX_TOKEN_COUNT) return new Message(null, "JSON token count limit exceeded");
            if (braces + brackets > MAX_NESTING) return new Message(null, "JSON nesting depth limit exceeded");
            tokens.add(t);
            size += t.length();
            if ((braces > 0 || brackets > 0) && braces >= 0 && brackets >= 0) continue;
            return new Message(tokens, null);
        }
    }
}
