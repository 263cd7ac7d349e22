package io.jsd.driver.nullblk.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jsd.block.BlockException;
import io.jsd.block.BlockNode;
import io.jsd.block.BlockStatus;
import io.jsd.block.Capabilities;
import io.jsd.block.OpenContext;
import io.jsd.block.Support;
import io.jsd.options.OptionException;
import io.jsd.options.Options;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.LockSupport;

/** A node that stores nothing: writes vanish, reads return zeroes (read-zeroes=on) or leave the buffer as it was. */
final class NullNode implements BlockNode {
    private static final long DEFAULT_SIZE = 1L << 30;
    private final String driver;
    private final long size;
    private final boolean readZeroes;
    private final long latencyNs;
    private final boolean plain;

    NullNode(String driver, OpenContext ctx) {
        this.driver = driver;
        Options o = ctx.options();
        plain = !o.has("size") && !o.has("read-zeroes"); // latency-ns does not change the image (a weak option)
        size = o.integer("size", DEFAULT_SIZE);
        // QSD reads 'size' with parse_option_size, which refuses negatives with this text (and then aborts)
        if (size < 0) throw new OptionException("Value '" + size + "' is out of range for parameter 'size'");
        readZeroes = o.bool("read-zeroes", false);
        latencyNs = o.integer("latency-ns", 0);
        o.optString("filename"); // "null-co://" is accepted and means nothing
    }

    private void delay() {
        if (latencyNs > 0) LockSupport.parkNanos(latencyNs);
    }

    @Override public long size() { return size; }

    @Override
    public void read(long offset, ByteBuffer dst) {
        delay();
        if (readZeroes) {
            while (dst.hasRemaining()) dst.put((byte) 0);
        } else {
            dst.position(dst.limit());
        }
    }

    @Override
    public void write(long offset, ByteBuffer src, int flags) {
        delay();
        src.position(src.limit());
    }

    @Override
    public void writeZeroes(long offset, long length, int flags) { delay(); }

    @Override
    public void flush() { delay(); }

    @Override
    public BlockStatus blockStatus(long offset, long length) throws BlockException {
        // like qemu: nothing is data; it reads as zeroes only with read-zeroes=on
        return new BlockStatus(offset, length, readZeroes ? BlockStatus.ZERO : 0);
    }

    @Override
    public Capabilities capabilities() {
        return new Capabilities(true, Support.NATIVE, Support.NATIVE, false, true, true, false, true);
    }

    @Override
    public void describe(ObjectNode info) {
        if (plain) info.put("filename", driver + "://");
        info.put("actual-size", 0);
    }
}
