package io.jsd.core.internal.graph;

import io.jsd.block.BlockException;
import io.jsd.block.BlockLimits;
import io.jsd.block.BlockNode;
import io.jsd.block.BlockStatus;
import io.jsd.block.Capabilities;
import io.jsd.block.IoFlags;
import io.jsd.block.NodeChild;
import io.jsd.block.Support;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The normalising wrapper behind {@code NodeHandle.io()}: every user of a node (exports, parents,
 * jobs) goes through it, so the driver only ever sees what {@link BlockNode} promises it.
 *
 * <ul>
 * <li>bounds are checked against the cached size; read-only nodes refuse writes;</li>
 * <li>unaligned requests are widened to the driver's request alignment (read-modify-write for
 *     writes, serialised against aligned writes); a request may end at {@code size()} even when
 *     the size is not aligned, so drivers must accept that one unaligned tail;</li>
 * <li>requests longer than the driver's limits are split;</li>
 * <li>write-zeroes without native support becomes writes of zeroes, FUA without native support a
 *     flush after the write; discard=ignore makes discard a no-op and strips MAY_UNMAP;</li>
 * <li>detect-zeroes turns all-zero writes into write-zeroes.</li>
 * </ul>
 * The wrapper stays the same object when the driver goes away and comes back, so a parent or an
 * export keeps working across a plugin restart.
 */
final class NodeIo implements BlockNode {
    static final int ZERO_CHUNK = 1 << 20;
    private static final ByteBuffer ZEROES = ByteBuffer.allocateDirect(ZERO_CHUNK).asReadOnlyBuffer();

    private final Node node;
    /** Aligned writes share it, read-modify-write cycles take it exclusively (only when alignment > 1). */
    private final ReadWriteLock rmw = new ReentrantReadWriteLock();

    NodeIo(Node node) { this.node = node; }

    private Node.Opened enter() throws BlockException {
        node.gate.enter();
        return node.opened;
    }

    private void exit() { node.gate.exit(); }

    @Override
    public long size() throws BlockException {
        enter();
        try {
            return node.size.get();
        } finally {
            exit();
        }
    }

    private long checkRange(long offset, long length) throws BlockException {
        long size = node.size.get();
        if (offset < 0 || length < 0 || offset > size - length) {
            throw new BlockException(BlockException.Kind.OUT_OF_RANGE, "Request out of range: offset " + offset
                    + ", length " + length + ", size " + size + " (node '" + node.nodeName() + "')");
        }
        return size;
    }

    private void checkWritable(Node.Opened o) throws BlockException {
        if (!o.caps().write()) {
            throw new BlockException(BlockException.Kind.READ_ONLY, "Node '" + node.nodeName() + "' is read-only");
        }
    }

    // ---- read ----

    @Override
    public void read(long offset, ByteBuffer dst) throws BlockException {
        int len = dst.remaining();
        Node.Opened o = enter();
        try {
            long size = checkRange(offset, len);
            if (len > 0) readAligned(o, offset, dst, size);
            node.stats.rdOps.increment();
            node.stats.rdBytes.add(len);
        } catch (BlockException | RuntimeException e) {
            node.stats.failedRd.increment();
            throw e;
        } finally {
            exit();
        }
    }

    private void readAligned(Node.Opened o, long off, ByteBuffer dst, long size) throws BlockException {
        int align = o.limits().requestAlignment();
        long end = off + dst.remaining();
        if (aligned(off, align) && (aligned(end, align) || end == size)) {
            readSplit(o, off, dst);
            return;
        }
        long pos = off;
        while (pos < end) {
            if (aligned(pos, align)) {
                long mid = Math.min(end, alignDown(end, align));
                if (mid > pos) {
                    readSplit(o, pos, slice(dst, (int) (mid - pos)));
                    pos = mid;
                    continue;
                }
            }
            // a partial block at the head or the tail: read the whole block and copy the part
            long block = alignDown(pos, align);
            long blockEnd = Math.min(block + align, size);
            int n = (int) (Math.min(end, blockEnd) - pos);
            ByteBuffer bounce = ByteBuffer.allocate((int) (blockEnd - block));
            readSplit(o, block, bounce);
            dst.put(bounce.position((int) (pos - block)).limit((int) (pos - block) + n));
            pos += n;
        }
    }

    /** Reads into {@code dst} from {@code off}, split by max transfer; advances dst's position. */
    private void readSplit(Node.Opened o, long off, ByteBuffer dst) throws BlockException {
        int max = o.limits().maxTransfer();
        while (dst.hasRemaining()) {
            int n = Math.min(dst.remaining(), max);
            int p = dst.position();
            o.driver().read(off, dst.slice(p, n));
            dst.position(p + n);
            off += n;
        }
    }

    // ---- write ----

    @Override
    public void write(long offset, ByteBuffer src, int flags) throws BlockException {
        int len = src.remaining();
        Node.Opened o = enter();
        try {
            checkWritable(o);
            long size = checkRange(offset, len);
            if (len > 0) {
                String dz = node.common().detectZeroes();
                if (!dz.equals("off") && isZero(src)) {
                    int zf = flags & IoFlags.FUA;
                    if (dz.equals("unmap")) zf |= IoFlags.MAY_UNMAP;
                    zeroes(o, offset, len, zf, size);
                    src.position(src.limit());
                } else {
                    boolean emulateFua = IoFlags.has(flags, IoFlags.FUA) && o.raw().fua() != Support.NATIVE;
                    int f = flags & IoFlags.FUA & (emulateFua ? 0 : ~0);
                    writeAligned(o, offset, src, f, size);
                    if (emulateFua) doFlush(o);
                }
            }
            node.stats.wrote(offset, len);
        } catch (BlockException | RuntimeException e) {
            node.stats.failedWr.increment();
            throw e;
        } finally {
            exit();
        }
    }

    private void writeAligned(Node.Opened o, long off, ByteBuffer src, int flags, long size) throws BlockException {
        int align = o.limits().requestAlignment();
        long end = off + src.remaining();
        if (align == 1) {
            writeSplit(o, off, src, flags);
            return;
        }
        boolean needsRmw = !aligned(off, align) || !(aligned(end, align) || end == size);
        var lock = needsRmw ? rmw.writeLock() : rmw.readLock();
        lock.lock();
        try {
            long pos = off;
            while (pos < end) {
                if (aligned(pos, align)) {
                    long mid = Math.min(end, alignDown(end, align));
                    if (end == size) mid = end;
                    if (mid > pos) {
                        writeSplit(o, pos, slice(src, (int) (mid - pos)), flags);
                        pos = mid;
                        continue;
                    }
                }
                long block = alignDown(pos, align);
                long blockEnd = Math.min(block + align, size);
                int n = (int) (Math.min(end, blockEnd) - pos);
                ByteBuffer bounce = ByteBuffer.allocate((int) (blockEnd - block));
                readSplit(o, block, bounce);
                bounce.position((int) (pos - block));
                bounce.put(slice(src, n));
                bounce.clear();
                writeSplit(o, block, bounce, flags);
                pos += n;
            }
        } finally {
            lock.unlock();
        }
    }

    private void writeSplit(Node.Opened o, long off, ByteBuffer src, int flags) throws BlockException {
        int max = o.limits().maxTransfer();
        while (src.hasRemaining()) {
            int n = Math.min(src.remaining(), max);
            int p = src.position();
            o.driver().write(off, src.slice(p, n), flags);
            src.position(p + n);
            off += n;
        }
    }

    // ---- write-zeroes ----

    @Override
    public void writeZeroes(long offset, long length, int flags) throws BlockException {
        Node.Opened o = enter();
        try {
            checkWritable(o);
            long size = checkRange(offset, length);
            if (length > 0) zeroes(o, offset, length, flags, size);
            node.stats.zeroOps.increment();
            node.stats.wrote(offset, length);
        } catch (BlockException | RuntimeException e) {
            node.stats.failedWr.increment();
            throw e;
        } finally {
            exit();
        }
    }

    private void zeroes(Node.Opened o, long off, long len, int flags, long size) throws BlockException {
        if (!node.common().discardUnmap()) flags &= ~IoFlags.MAY_UNMAP;
        boolean emulateFua = IoFlags.has(flags, IoFlags.FUA) && o.raw().fua() != Support.NATIVE;
        if (emulateFua) flags &= ~IoFlags.FUA;
        if (o.raw().writeZeroes() == Support.NATIVE) {
            int align = o.limits().requestAlignment();
            long end = off + len;
            long head = Math.min(end, alignUp(off, align));
            long tail = end == size ? end : Math.max(head, alignDown(end, align));
            if (head > off) writeZeroBytes(o, off, head - off, flags & IoFlags.FUA, size);
            long pos = head;
            while (pos < tail) {
                long n = Math.min(tail - pos, o.limits().maxWriteZeroes());
                if (align > 1 && n != tail - pos) n = Math.max(align, alignDown(n, align));
                try {
                    o.driver().writeZeroes(pos, n, flags);
                } catch (BlockException e) {
                    // the driver's fast path did not apply here (e.g. a filesystem without fallocate)
                    if (e.kind() != BlockException.Kind.UNSUPPORTED || IoFlags.has(flags, IoFlags.FAST_ZERO)) throw e;
                    writeZeroBytes(o, pos, n, flags & IoFlags.FUA, size);
                }
                pos += n;
            }
            if (end > tail) writeZeroBytes(o, tail, end - tail, flags & IoFlags.FUA, size);
        } else if (IoFlags.has(flags, IoFlags.FAST_ZERO)) {
            throw BlockException.unsupported("Node '" + node.nodeName() + "' cannot write zeroes fast");
        } else {
            writeZeroBytes(o, off, len, flags & IoFlags.FUA, size);
        }
        if (emulateFua) doFlush(o);
    }

    private void writeZeroBytes(Node.Opened o, long off, long len, int flags, long size) throws BlockException {
        while (len > 0) {
            int n = (int) Math.min(len, ZERO_CHUNK);
            writeAligned(o, off, ZEROES.slice(0, n), flags, size);
            off += n;
            len -= n;
        }
    }

    // ---- discard, flush, truncate, status ----

    @Override
    public void discard(long offset, long length) throws BlockException {
        Node.Opened o = enter();
        try {
            checkWritable(o);
            long size = checkRange(offset, length);
            node.stats.unmapOps.increment();
            node.stats.unmapBytes.add(length);
            if (!o.caps().discard() || length == 0) return;
            // only whole aligned blocks can be discarded; partial ones are left alone as qemu does
            int align = o.limits().requestAlignment();
            long end = offset + length;
            long pos = alignUp(offset, align);
            long stop = end == size ? end : alignDown(end, align);
            while (pos < stop) {
                long n = Math.min(stop - pos, o.limits().maxDiscard());
                if (align > 1 && n != stop - pos) n = Math.max(align, alignDown(n, align));
                o.driver().discard(pos, n);
                pos += n;
            }
        } catch (BlockException | RuntimeException e) {
            node.stats.failedUnmap.increment();
            throw e;
        } finally {
            exit();
        }
    }

    @Override
    public void flush() throws BlockException {
        Node.Opened o = enter();
        try {
            doFlush(o);
            node.stats.flushOps.increment();
        } catch (BlockException | RuntimeException e) {
            node.stats.failedFlush.increment();
            throw e;
        } finally {
            exit();
        }
    }

    private void doFlush(Node.Opened o) throws BlockException {
        if (o.caps().flush()) o.driver().flush();
    }

    @Override
    public void truncate(long newSize) throws BlockException {
        Node.Opened o = enter();
        try {
            checkWritable(o);
            if (newSize < 0) throw BlockException.invalid("Invalid size " + newSize);
            if (!o.caps().truncate()) {
                throw BlockException.unsupported("Node '" + node.nodeName() + "' (driver " + node.driver() + ") cannot be resized");
            }
            o.driver().truncate(newSize);
            node.size.set(Node.sectorSize(o.driver().size()));
        } finally {
            exit();
        }
    }

    @Override
    public BlockStatus blockStatus(long offset, long length) throws BlockException {
        Node.Opened o = enter();
        try {
            long size = node.size.get();
            if (offset < 0 || offset >= size || length <= 0) {
                throw new BlockException(BlockException.Kind.OUT_OF_RANGE, "Block status out of range: offset " + offset
                        + ", length " + length + ", size " + size);
            }
            long len = Math.min(length, size - offset);
            if (!o.caps().blockStatus()) return BlockStatus.data(offset, len);
            int align = o.limits().requestAlignment();
            long start = alignDown(offset, align);
            long end = Math.min(alignUp(offset + len, align), size);
            BlockStatus s = o.driver().blockStatus(start, end - start);
            long sEnd = Math.min(s.offset() + s.length(), offset + len);
            if (s.offset() != start || sEnd <= offset) {
                // a confused driver: claim data for the first block rather than lie about zeroes
                return BlockStatus.data(offset, Math.min(len, Math.max(1, align - (offset - start))));
            }
            return new BlockStatus(offset, sEnd - offset, s.flags());
        } finally {
            exit();
        }
    }

    @Override
    public Capabilities capabilities() {
        Node.Opened o = node.opened;
        return o == null ? Capabilities.BASIC.withWrite(false) : o.caps();
    }

    @Override
    public BlockLimits limits() {
        Node.Opened o = node.opened;
        return o == null ? BlockLimits.DEFAULT : o.limits();
    }

    @Override
    public List<NodeChild> children() { return node.children(); }

    /** Fills {@code info} with this node's "image" object (what a parent such as raw reports). */
    @Override
    public void describe(ObjectNode info) { info.setAll(node.imageInfo()); }

    /** The graph owns the node: closing a child's io is a no-op. */
    @Override
    public void close() {}

    /** The node this wrapper fronts (parents hand it back to core as their child). */
    Node node() { return node; }

    // ---- helpers ----

    private static boolean aligned(long v, int align) { return (v & (align - 1)) == 0; }

    private static long alignDown(long v, int align) { return v & -(long) align; }

    private static long alignUp(long v, int align) { return (v + align - 1) & -(long) align; }

    /** The next {@code n} bytes of {@code b} as their own buffer; advances {@code b}. */
    private static ByteBuffer slice(ByteBuffer b, int n) {
        ByteBuffer s = b.slice(b.position(), n);
        b.position(b.position() + n);
        return s;
    }

    static boolean isZero(ByteBuffer b) {
        int p = b.position(), end = b.limit();
        while (p < end) {
            int n = Math.min(end - p, ZERO_CHUNK);
            if (b.slice(p, n).mismatch(ZEROES.slice(0, n)) >= 0) return false;
            p += n;
        }
        return true;
    }
}
