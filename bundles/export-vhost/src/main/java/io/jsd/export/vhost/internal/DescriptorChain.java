package io.jsd.export.vhost.internal;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * A popped descriptor chain as buffers over guest memory: the device-readable ones first, then the
 * device-writable ones. {@code badAddress} is set when the chain was well formed but some buffer
 * lay outside guest memory: the request then fails, with IOERR if the status byte is reachable.
 */
public record DescriptorChain(int head, List<ByteBuffer> readable, List<ByteBuffer> writable, long writableBytes,
                              String badAddress) {
    long readableBytes() {
        long n = 0;
        for (ByteBuffer b : readable) n += b.remaining();
        return n;
    }
}
