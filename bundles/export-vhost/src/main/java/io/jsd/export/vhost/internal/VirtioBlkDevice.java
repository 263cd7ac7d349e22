package io.jsd.export.vhost.internal;

import static io.jsd.export.vhost.internal.VirtioBlk.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.jsd.block.BlockException;
import io.jsd.block.BlockNode;
import io.jsd.block.IoFlags;

/**
 * The virtio-blk device on top of a block node: request parsing and execution, the config space.
 * Data moves straight between guest memory and the node (scatter-gather buffers over the mapped
 * regions); only the 16-byte request header and discard/zeroes segments are copied.
 */
public final class VirtioBlkDevice implements VhostUserBackend {
    private static final Logger LOG = Logger.getLogger(VirtioBlkDevice.class.getName());
    /** qemu's BDRV_REQUEST_MAX_BYTES: the largest request it accepts. */
    private static final long MAX_REQUEST_BYTES = Integer.MAX_VALUE & ~511L;

    private final BlockNode node;
    private final boolean writable;
    private final int numQueues;
    private final int blockSize;
    /** Guest-visible write cache: QSD shows write-through (0) until the guest changes it. */
    private volatile int writeback;
    /** Whether writes are made stable before completion (writethrough=on, or the guest chose it). */
    private volatile boolean writethrough;
    private final IoErrorLog ioErrors = new IoErrorLog("vhost-user-blk");

    public VirtioBlkDevice(BlockNode node, boolean writable, boolean writethrough, int numQueues, int blockSize) {
        this.node = node;
        this.writable = writable;
        this.writethrough = writethrough;
        this.numQueues = numQueues;
        this.blockSize = blockSize;
    }

    @Override
    public long features() {
        long f = 1L << F_SIZE_MAX | 1L << F_SEG_MAX | 1L << F_TOPOLOGY | 1L << F_BLK_SIZE | 1L << F_FLUSH
                | 1L << F_DISCARD | 1L << F_WRITE_ZEROES | 1L << F_CONFIG_WCE | 1L << F_MQ
                | 1L << F_VERSION_1 | 1L << F_RING_INDIRECT_DESC | 1L << F_RING_EVENT_IDX;
        if (!writable) f |= 1L << F_RO;
        return f;
    }

    @Override
    public int numQueues() { return numQueues; }

    private long capacitySectors() {
        try {
            return node.size() >>> SECTOR_SHIFT;
        } catch (BlockException e) {
            return 0;
        }
    }

    /**
     * Makes everything the front-end wrote stable when it leaves: the guest sees a write-through
     * cache (as with QSD) and so never sends FLUSH, while drivers such as qcow2 keep metadata in
     * memory until flushed.
     */
    @Override
    public void disconnected() {
        if (!writable) return;
        try {
            node.flush();
        } catch (BlockException | RuntimeException e) {
            LOG.log(Level.WARNING, "flush after the front-end left failed", e);
        }
    }

    @Override
    public byte[] config() {
        ByteBuffer c = ByteBuffer.allocate(CFG_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        c.putLong(CFG_CAPACITY, capacitySectors());
        c.putInt(CFG_SIZE_MAX, 0);
        c.putInt(CFG_SEG_MAX, SEG_MAX);
        c.putInt(CFG_BLK_SIZE, blockSize);
        c.put(CFG_PHYS_BLOCK_EXP, (byte) 0);
        c.putShort(CFG_MIN_IO_SIZE, (short) 1);
        c.putInt(CFG_OPT_IO_SIZE, 1);
        c.put(CFG_WRITEBACK, (byte) writeback);
        c.putShort(CFG_NUM_QUEUES, (short) numQueues);
        c.putInt(CFG_MAX_DISCARD_SECTORS, MAX_DISCARD_SECTORS);
        c.putInt(CFG_MAX_DISCARD_SEG, 1);
        c.putInt(CFG_DISCARD_ALIGN, blockSize >> SECTOR_SHIFT);
        c.putInt(CFG_MAX_WRITE_ZEROES_SECTORS, MAX_WRITE_ZEROES_SECTORS);
        c.putInt(CFG_MAX_WRITE_ZEROES_SEG, 1);
        return c.array();
    }

    /** Only the writeback byte is writable (CONFIG_WCE), as in QSD. */
    @Override
    public boolean setConfig(int offset, byte[] data) {
        if (offset != CFG_WRITEBACK || data.length != 1) return false;
        writeback = data[0] != 0 ? 1 : 0;
        writethrough = writeback == 0;
        return true;
    }

    @Override
    public int process(DescriptorChain chain) {
        List<ByteBuffer> in = chain.writable();
        if (in.isEmpty() || chain.readable().isEmpty()) {
            // Without a status byte the request cannot even fail; complete it with nothing written.
            LOG.fine("virtio-blk request missing headers");
            return 0;
        }
        int usedLen = (int) Math.min(chain.writableBytes(), Integer.MAX_VALUE);
        ByteBuffer statusBuf = in.get(in.size() - 1);
        int statusPos = statusBuf.limit() - 1;
        byte status;
        try {
            status = chain.badAddress() != null
                    ? ioerr("request " + chain.head(), "buffer outside guest memory: " + chain.badAddress(), null)
                    : execute(chain);
        } catch (RuntimeException | Error e) {
            // an Error too: the status byte must still be written, or the guest waits forever
            LOG.log(Level.WARNING, "virtio-blk request failed unexpectedly", e);
            status = ioerr("request " + chain.head(), "unexpected failure", e);
        }
        statusBuf.put(statusPos, status);
        return usedLen;
    }

    private byte execute(DescriptorChain chain) {
        long outBytes = chain.readableBytes();
        if (outBytes < 16) return ioerr("request " + chain.head(), "header shorter than 16 bytes", null);
        ByteBuffer hdr = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer[] out = slice(chain.readable(), 0, outBytes);
        copyOut(out, hdr);
        int type = hdr.getInt(0);
        long sector = hdr.getLong(8);
        ByteBuffer[] outData = slice(chain.readable(), 16, outBytes - 16);
        ByteBuffer[] inData = slice(chain.writable(), 0, chain.writableBytes() - 1);
        try {
            switch (type) {
                case T_IN -> { return readWrite(T_IN, sector, inData); }
                case T_OUT -> { return readWrite(T_OUT, sector, outData); }
                case T_FLUSH -> {
                    node.flush();
                    return S_OK;
                }
                case T_GET_ID -> {
                    byte[] id = (SERIAL + "\0").getBytes(StandardCharsets.US_ASCII);
                    copyIn(inData, ByteBuffer.wrap(id, 0, Math.min(id.length, ID_BYTES)));
                    return S_OK;
                }
                case T_DISCARD, T_WRITE_ZEROES -> { return discardOrZero(type, outData); }
                default -> { return S_UNSUPP; }
            }
        } catch (BlockException e) {
            return ioerr(name(type) + " sector " + sector, "the node failed", e);
        }
    }

    /** Throws (rather than claim a zero capacity) when the node cannot tell its size, so the cause is logged. */
    private boolean rangeOk(long sector, long bytes) throws BlockException {
        if (bytes > MAX_REQUEST_BYTES || bytes % blockSize != 0) return false;
        if ((sector & ((blockSize >> SECTOR_SHIFT) - 1)) != 0) return false;
        long total = node.size() >>> SECTOR_SHIFT;
        long n = bytes >>> SECTOR_SHIFT;
        return sector >= 0 && sector <= total && n <= total - sector;
    }

    private byte readWrite(int type, long sector, ByteBuffer[] bufs) throws BlockException {
        boolean write = type == T_OUT;
        if (write && !writable) return ioerr(name(type) + " sector " + sector, "the export is read-only", null);
        long bytes = 0;
        for (ByteBuffer b : bufs) bytes += b.remaining();
        if (!rangeOk(sector, bytes)) return badRange(type, sector, bytes);
        if (bytes == 0) return S_OK;
        long offset = sector << SECTOR_SHIFT;
        if (write) node.write(offset, bufs, writethrough ? IoFlags.FUA : 0);
        else node.read(offset, bufs);
        return S_OK;
    }

    private byte discardOrZero(int type, ByteBuffer[] outData) throws BlockException {
        if (!writable) return ioerr(name(type), "the export is read-only", null);
        ByteBuffer seg = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        if (copyOut(outData, seg) != 16) return ioerr(name(type), "segment shorter than 16 bytes", null);
        long sector = seg.getLong(0);
        long num = seg.getInt(8) & 0xffffffffL;
        int flags = seg.getInt(12);
        long max = type == T_WRITE_ZEROES ? MAX_WRITE_ZEROES_SECTORS : MAX_DISCARD_SECTORS;
        if (num > max) return ioerr(name(type) + " sector " + sector, num + " sectors, more than the limit " + max, null);
        long bytes = num << SECTOR_SHIFT;
        if (!rangeOk(sector, bytes)) return badRange(type, sector, bytes);
        if ((flags & ~WRITE_ZEROES_FLAG_UNMAP) != 0) return S_UNSUPP;
        long offset = sector << SECTOR_SHIFT;
        if (type == T_WRITE_ZEROES) {
            int f = (flags & WRITE_ZEROES_FLAG_UNMAP) != 0 ? IoFlags.MAY_UNMAP : 0;
            if (writethrough) f |= IoFlags.FUA;
            if (bytes > 0) node.writeZeroes(offset, bytes, f);
        } else {
            if ((flags & WRITE_ZEROES_FLAG_UNMAP) != 0) return S_UNSUPP;
            if (bytes > 0) node.discard(offset, bytes);
        }
        return S_OK;
    }

    private byte badRange(int type, long sector, long bytes) {
        return ioerr(name(type) + " sector " + sector, bytes + " bytes: misaligned (block size " + blockSize
                + ") or beyond the capacity of " + capacitySectors() + " sectors", null);
    }

    /** Logs why a request fails (rate-limited, on stderr) and returns its status. */
    private byte ioerr(String request, String reason, Throwable cause) {
        ioErrors.report(request, reason, cause);
        return S_IOERR;
    }

    private static String name(int type) {
        return switch (type) {
            case T_IN -> "read";
            case T_OUT -> "write";
            case T_FLUSH -> "flush";
            case T_DISCARD -> "discard";
            case T_WRITE_ZEROES -> "write-zeroes";
            default -> "request type " + type;
        };
    }

    /** Independent views of {@code bufs} covering bytes {@code [skip, skip + len)} of their concatenation. */
    static ByteBuffer[] slice(List<ByteBuffer> bufs, long skip, long len) {
        List<ByteBuffer> out = new ArrayList<>(bufs.size());
        long pos = 0;
        long end = skip + len;
        for (ByteBuffer b : bufs) {
            long bStart = pos, bEnd = pos + b.remaining();
            pos = bEnd;
            long from = Math.max(bStart, skip), to = Math.min(bEnd, end);
            if (from >= to) continue;
            ByteBuffer d = b.duplicate();
            d.position(b.position() + (int) (from - bStart));
            d.limit(b.position() + (int) (to - bStart));
            out.add(d);
        }
        return out.toArray(ByteBuffer[]::new);
    }

    /** Copies from guest buffers into {@code dst} until it is full; returns bytes copied. */
    private static int copyOut(ByteBuffer[] src, ByteBuffer dst) {
        int n = 0;
        for (ByteBuffer b : src) {
            ByteBuffer d = b.duplicate();
            while (d.hasRemaining() && dst.hasRemaining()) {
                dst.put(d.get());
                n++;
            }
        }
        return n;
    }

    /** Copies {@code src} into guest buffers as far as they reach. */
    private static void copyIn(ByteBuffer[] dst, ByteBuffer src) {
        for (ByteBuffer b : dst) {
            ByteBuffer d = b.duplicate();
            while (d.hasRemaining() && src.hasRemaining()) d.put(src.get());
        }
    }
}
