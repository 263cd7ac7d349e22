package io.jsd.driver.raw.internal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jsd.block.BlockException;
import io.jsd.block.BlockLimits;
import io.jsd.block.BlockNode;
import io.jsd.block.BlockStatus;
import io.jsd.block.Capabilities;
import io.jsd.block.ChildRole;
import io.jsd.block.NodeChild;
import io.jsd.block.Support;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The raw format: a window [offset, offset + size) of its "file" child, everything forwarded.
 * Without offset and size it is a plain pass-through whose size follows the child's.
 */
final class RawNode implements BlockNode {
    private final BlockNode file;
    private final long offset;
    /** The fixed size, or -1 to follow the child. */
    private final long fixedSize;
    private final boolean readOnly;

    RawNode(BlockNode file, long offset, long fixedSize, boolean readOnly) {
        this.file = file;
        this.offset = offset;
        this.fixedSize = fixedSize;
        this.readOnly = readOnly;
    }

    @Override
    public long size() throws BlockException {
        return fixedSize >= 0 ? fixedSize : Math.max(0, file.size() - offset);
    }

    @Override public void read(long off, ByteBuffer dst) throws BlockException { file.read(offset + off, dst); }

    @Override public void read(long off, ByteBuffer[] dsts) throws BlockException { file.read(offset + off, dsts); }

    @Override public void write(long off, ByteBuffer src, int flags) throws BlockException { file.write(offset + off, src, flags); }

    @Override public void write(long off, ByteBuffer[] srcs, int flags) throws BlockException { file.write(offset + off, srcs, flags); }

    @Override public void writeZeroes(long off, long length, int flags) throws BlockException { file.writeZeroes(offset + off, length, flags); }

    @Override public void discard(long off, long length) throws BlockException { file.discard(offset + off, length); }

    @Override public void flush() throws BlockException { file.flush(); }

    @Override
    public void truncate(long newSize) throws BlockException {
        if (fixedSize >= 0 || offset != 0) throw BlockException.unsupported("Cannot resize fixed-size raw disks");
        file.truncate(newSize);
    }

    @Override
    public BlockStatus blockStatus(long off, long length) throws BlockException {
        BlockStatus s = file.blockStatus(offset + off, length);
        return new BlockStatus(off, s.length(), s.flags());
    }

    @Override
    public Capabilities capabilities() {
        Capabilities c = file.capabilities();
        // the child's wrapper already emulates what its driver lacks, so for raw everything it offers is native
        return new Capabilities(c.write() && !readOnly, c.writeZeroes().available() ? Support.NATIVE : Support.NONE,
                c.fua().available() ? Support.NATIVE : Support.NONE, c.discard(), true, c.blockStatus(),
                c.truncate(), c.multiConn()); // truncate: raw itself explains a fixed window
    }

    @Override
    public BlockLimits limits() { return file.limits(); }

    @Override
    public List<NodeChild> children() { return List.of(new NodeChild("file", ChildRole.PRIMARY, file)); }

    @Override
    public void describe(ObjectNode info) {
        ObjectNode child = JsonNodeFactory.instance.objectNode();
        file.describe(child);
        if (child.has("actual-size")) info.set("actual-size", child.get("actual-size"));
        // qemu's raw_co_get_info forwards to the child: a format child's cluster size shows through
        if (child.has("cluster-size")) info.set("cluster-size", child.get("cluster-size"));
        info.put("dirty-flag", false);
    }
}
