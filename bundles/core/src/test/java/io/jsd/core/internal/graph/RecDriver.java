package io.jsd.core.internal.graph;

import io.jsd.block.BlockDriver;
import io.jsd.block.BlockException;
import io.jsd.block.BlockNode;
import io.jsd.block.Capabilities;
import io.jsd.block.ChildRole;
import io.jsd.block.OpenContext;
import io.jsd.block.Support;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Test drivers. "rec": bytes kept in a store that survives reopen (keyed by option "id"), every call
 * recorded; options "zeroes" and "fua" say whether it has native write-zeroes / FUA.
 * "pass": a format that forwards to its "file" child (like raw).
 */
final class RecDriver implements BlockDriver {
    static final Map<String, byte[]> STORES = new ConcurrentHashMap<>();
    final List<String> calls = new CopyOnWriteArrayList<>();

    @Override
    public BlockNode open(OpenContext ctx) {
        var o = ctx.options();
        String id = o.string("id", ctx.nodeName());
        int size = (int) o.integer("size", 65536);
        boolean zeroes = o.bool("zeroes", true), fua = o.bool("fua", false);
        byte[] data = STORES.computeIfAbsent(id, k -> new byte[size]);
        return new BlockNode() {
            @Override public long size() { return data.length; }
            @Override public void read(long off, ByteBuffer dst) { dst.put(data, (int) off, dst.remaining()); }
            @Override public void write(long off, ByteBuffer src, int flags) {
                calls.add("write " + off + " " + src.remaining() + " " + flags);
                src.get(data, (int) off, src.remaining());
            }
            @Override public void writeZeroes(long off, long len, int flags) {
                calls.add("zeroes " + off + " " + len + " " + flags);
                java.util.Arrays.fill(data, (int) off, (int) (off + len), (byte) 0);
            }
            @Override public void discard(long off, long len) { calls.add("discard " + off + " " + len); }
            @Override public void flush() { calls.add("flush"); }
            @Override public Capabilities capabilities() {
                return new Capabilities(true, zeroes ? Support.NATIVE : Support.NONE, fua ? Support.NATIVE : Support.NONE,
                        true, true, false, false, true);
            }
            @Override public void close() { calls.add("close " + id); }
        };
    }

    /** A pass-through format (or with filter=true, a filter) over a "file" child. */
    static final class Pass implements BlockDriver {
        @Override
        public BlockNode open(OpenContext ctx) throws BlockException {
            // filter=true: a filter over its child (qemu's permission rules differ from a format's)
            boolean filter = ctx.options().bool("filter", false);
            BlockNode file = ctx.openChild("file", filter ? ChildRole.FILTERED : ChildRole.PRIMARY, true);
            long size = file.size();
            return new BlockNode() {
                @Override public long size() { return size; }
                @Override public void read(long off, ByteBuffer dst) throws BlockException { file.read(off, dst); }
                @Override public void write(long off, ByteBuffer src, int flags) throws BlockException { file.write(off, src, flags); }
                @Override public void writeZeroes(long off, long len, int flags) throws BlockException { file.writeZeroes(off, len, flags); }
                @Override public void discard(long off, long len) throws BlockException { file.discard(off, len); }
                @Override public void flush() throws BlockException { file.flush(); }
                @Override public Capabilities capabilities() {
                    return new Capabilities(file.capabilities().write(), Support.NATIVE, Support.NATIVE, true, true, false, false, true);
                }
            };
        }
    }
}
