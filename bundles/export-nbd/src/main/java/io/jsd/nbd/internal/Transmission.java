package io.jsd.nbd.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;

import io.jsd.block.BlockException;
import io.jsd.block.BlockNode;
import io.jsd.block.BlockStatus;
import io.jsd.block.IoFlags;

/**
 * The transmission phase of one connection. This thread only decodes requests (and reads write
 * payloads); each request then runs on its own virtual thread and queues its reply on the
 * {@link ReplySink}, so replies go out in completion order, as the protocol allows.
 */
final class Transmission {
    /**
     * What one connection may hold in flight, in KiB: payload and reply buffers plus a fixed
     * overhead per request (its Request, virtual thread and reply headers). A request over budget
     * waits, on this connection's reader thread, for the connection's own earlier requests to be
     * answered; it never takes memory from other clients. 68 MiB keeps two maximum-sized requests
     * streaming; -Djsd.nbd.connectionBudget=BYTES changes it.
     */
    static final int BUDGET = (int) (Math.min(1L << 40, Math.max(Nbd.MAX_BUFFER + (2L << 20),
            Long.getLong("jsd.nbd.connectionBudget", 2L * Nbd.MAX_BUFFER + (4L << 20)))) >> 10);
    /** The fixed part of a request's cost (KiB): at most BUDGET / 64 = 1024 requests in flight. */
    private static final int REQUEST_OVERHEAD = 64;
    /**
     * Reads at least this long look for holes (block status) and send them as hole chunks. Smaller
     * reads just read: a block status query costs about as much as reading 64 KiB of a hole, and is
     * pure overhead on data. Tunable with -Djsd.nbd.sparseReadMin=BYTES.
     */
    private static final int SPARSE_READ_MIN = Integer.getInteger("jsd.nbd.sparseReadMin", 256 * 1024);
    /** Most descriptors in one block status chunk. */
    private static final int MAX_EXTENTS = 1 << 16;
    /**
     * A small read or write runs on the reader thread itself when no further request is already
     * waiting in the input buffer (queue depth 1) and the node answers faster than this on average
     * (page cache, memory): a thread hand-off would cost more than the I/O. When requests queue up,
     * or the node is slower, every request gets its own virtual thread, so requests of one
     * connection run in parallel and a slow one never holds up others.
     */
    private static final long INLINE_MAX_NANOS = 40_000;
    private static final long INLINE_MAX_LENGTH = 256 * 1024;

    private final Connection conn;
    private final Session session;
    private final InBuffer in;
    private final NbdExport export;
    private final BlockNode io;
    private final boolean structured;
    private final boolean extended;
    private final ReplySink sink;
    private final Semaphore budget = new Semaphore(BUDGET);
    private final ConcurrentLinkedQueue<Request> free = new ConcurrentLinkedQueue<>();
    /** Moving average of how long the node takes for one small request (nanoseconds). */
    private volatile long ioNanos;

    Transmission(Connection conn, Session session, InBuffer in) {
        this.conn = conn;
        this.session = session;
        this.in = in;
        this.export = session.export;
        this.io = export.io;
        this.structured = session.structured();
        this.extended = session.extended();
        this.sink = new ReplySink(in.wire(), this);
    }

    void run() throws IOException {
        int hdrSize = extended ? Nbd.EXTENDED_REQUEST_SIZE : Nbd.REQUEST_SIZE;
        int expect = extended ? Nbd.EXTENDED_REQUEST_MAGIC : Nbd.REQUEST_MAGIC;
        try {
            while (true) {
                if (in.buffered() < hdrSize) sink.flush(); // about to wait for the client: send what is ready
                if (!in.fill(hdrSize)) return; // the client hung up between requests
                if (sink.failure() != null) throw sink.failure();
                ByteBuffer b = in.buffer();
                int magic = b.getInt();
                int flags = b.getShort() & 0xffff;
                int type = b.getShort() & 0xffff;
                long cookie = b.getLong();
                long offset = b.getLong();
                long length = extended ? b.getLong() : b.getInt() & 0xffffffffL;
                if (magic != expect) {
                    throw new ProtocolException(String.format("invalid magic (got 0x%x, expected 0x%x)", magic, expect));
                }
                if (type == Nbd.CMD_DISC) return;
                Request r = obtain();
                r.flags = flags;
                r.type = type;
                r.cookie = cookie;
                r.offset = offset;
                r.length = length;
                try {
                    if (!receive(r)) continue;
                } catch (IOException e) {
                    if (!r.sent) recycle(r); // the client went away in the middle of the payload
                    throw e;
                }
                if (in.buffered() == 0 && ioNanos < INLINE_MAX_NANOS && r.length <= INLINE_MAX_LENGTH
                        && (r.type == Nbd.CMD_READ || r.type == Nbd.CMD_WRITE)) {
                    r.inline = true;
                    execute(r);
                } else {
                    Thread.ofVirtual().start(r);
                }
            }
        } finally {
            sink.flush();
            drain();
        }
    }

    /** Waits (bounded) for every request in flight to be answered: NBD_CMD_DISC and EOF both want that. */
    private void drain() {
        try {
            if (budget.tryAcquire(BUDGET, 30, java.util.concurrent.TimeUnit.SECONDS)) budget.release(BUDGET);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Request obtain() {
        Request r = free.poll();
        return r != null ? r : new Request(this);
    }

    /** Called by the sink once the reply is on the wire (or dropped). */
    void recycle(Request r) {
        int cost = r.cost;
        r.cost = 0;
        r.reset();
        free.offer(r);
        if (cost > 0) budget.release(cost);
    }

    void writeFailed(IOException e) {
        conn.abort();
    }

    // ---- validation and payload, on the reader thread

    /**
     * Reads the payload and checks the request the way qemu does (read-only, bounds, flags).
     * Returns true to execute it; false when an error reply was already queued.
     */
    private boolean receive(Request r) throws IOException {
        long len = r.length;
        boolean write = r.type == Nbd.CMD_WRITE;
        boolean payload = write || (extended && (r.flags & Nbd.CMD_FLAG_PAYLOAD_LEN) != 0);
        // Lengths and offsets are unsigned 64-bit numbers on the wire: compare them as such.
        boolean tooLong = Long.compareUnsigned(len, Nbd.MAX_BUFFER) > 0;
        if (payload && tooLong) {
            // The payload cannot be taken in, so the stream cannot be resynchronised.
            String m = tooLongMessage(len);
            fail(r, Nbd.EINVAL, m);
            throw new ProtocolException(m);
        }
        r.cost = cost(r.type, payload, tooLong ? 0 : len);
        acquire(r.cost);
        String err = null;
        int errno = 0;
        if (write) {
            if ((session.flags & Nbd.FLAG_READ_ONLY) != 0) {
                in.skip(len);
                return reject(r, Nbd.EPERM, "Export is read-only");
            }
            try {
                r.data = BufferPool.SHARED.get((int) Math.max(len, 1));
            } catch (BufferPool.NoBufferMemory e) {
                in.skip(len); // stay in step with the client: only this request fails
                return reject(r, Nbd.ENOMEM, e.getMessage());
            }
            r.data.limit((int) len);
            if (in.buffered() < len) sink.flush();
            in.readFully(r.data);
            r.data.flip();
        } else if (payload) {
            in.skip(len);
            return reject(r, Nbd.EINVAL, "unexpected payload for command " + Nbd.cmdName(r.type));
        }
        long size = export.size();
        int valid = Nbd.CMD_FLAG_FUA;
        switch (r.type) {
            case Nbd.CMD_READ, Nbd.CMD_CACHE -> {
                if (structured && r.type == Nbd.CMD_READ) valid |= Nbd.CMD_FLAG_DF;
                if (tooLong) {
                    errno = Nbd.EINVAL;
                    err = tooLongMessage(len);
                }
            }
            case Nbd.CMD_WRITE -> { if (extended) valid |= Nbd.CMD_FLAG_PAYLOAD_LEN; }
            case Nbd.CMD_FLUSH -> { }
            case Nbd.CMD_TRIM, Nbd.CMD_WRITE_ZEROES -> {
                if (r.type == Nbd.CMD_WRITE_ZEROES) valid |= Nbd.CMD_FLAG_NO_HOLE | Nbd.CMD_FLAG_FAST_ZERO;
                if ((session.flags & Nbd.FLAG_READ_ONLY) != 0) {
                    errno = Nbd.EPERM;
                    err = "Export is read-only";
                }
            }
            case Nbd.CMD_BLOCK_STATUS -> valid |= Nbd.CMD_FLAG_REQ_ONE; // contexts: checked when it runs, as QSD
            default -> {
                errno = Nbd.EINVAL;
                err = "invalid request type (" + r.type + ") received";
            }
        }
        if (errno == 0 && r.type != Nbd.CMD_FLUSH
                && (Long.compareUnsigned(r.offset, size) > 0 || Long.compareUnsigned(len, size - r.offset) > 0)) {
            // QSD answers every request it refuses before running it with EINVAL (nbd_trip), ENOSPC included.
            errno = Nbd.EINVAL;
            err = "operation past EOF; From: " + Long.toUnsignedString(r.offset) + ", Len: " + Long.toUnsignedString(len)
                    + ", Size: " + size;
        }
        if (errno == 0 && (r.flags & ~valid) != 0) {
            errno = Nbd.EINVAL;
            err = String.format("unsupported flags for command %s (got 0x%x)", Nbd.cmdName(r.type), r.flags);
        }
        if (errno != 0) return reject(r, errno, err);
        return true;
    }

    private static String tooLongMessage(long len) {
        return "len (" + Long.toUnsignedString(len) + ") is larger than max len (" + Nbd.MAX_BUFFER + ")";
    }

    /** A request's share of the connection budget (KiB), for a length already known to be at most 32 MiB. */
    private static int cost(int type, boolean payload, long len) {
        long bytes = 0;
        if (payload || type == Nbd.CMD_READ) bytes = len;
        else if (type == Nbd.CMD_BLOCK_STATUS) bytes = 2L * (32 + 8 + 16L * MAX_EXTENTS); // both contexts, extended
        return REQUEST_OVERHEAD + (int) ((bytes + 1023) >> 10);
    }

    private void acquire(int cost) throws IOException {
        try {
            budget.acquire(cost);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted");
        }
    }

    private boolean reject(Request r, int errno, String message) {
        fail(r, errno, message);
        return false;
    }

    // ---- execution, on the request's virtual thread

    void execute(Request r) {
        try {
            switch (r.type) {
                case Nbd.CMD_READ -> read(r);
                case Nbd.CMD_WRITE -> {
                    long t0 = System.nanoTime();
                    io.write(r.offset, r.data, fuaFlag(r));
                    observe(r, t0);
                    ok(r);
                }
                case Nbd.CMD_FLUSH -> {
                    io.flush();
                    ok(r);
                }
                case Nbd.CMD_TRIM -> {
                    long pos = r.offset;
                    long end = r.offset + r.length;
                    while (pos < end) {
                        long n = Math.min(end - pos, 1L << 30);
                        io.discard(pos, n);
                        pos += n;
                    }
                    if ((fuaFlag(r) & IoFlags.FUA) != 0) io.flush();
                    ok(r);
                }
                case Nbd.CMD_WRITE_ZEROES -> {
                    int f = fuaFlag(r);
                    if ((r.flags & Nbd.CMD_FLAG_NO_HOLE) == 0) f |= IoFlags.MAY_UNMAP;
                    if ((r.flags & Nbd.CMD_FLAG_FAST_ZERO) != 0) f |= IoFlags.FAST_ZERO;
                    long pos = r.offset;
                    long end = r.offset + r.length;
                    while (pos < end) {
                        long n = Math.min(end - pos, 1L << 30);
                        io.writeZeroes(pos, n, f);
                        pos += n;
                    }
                    ok(r);
                }
                case Nbd.CMD_CACHE -> ok(r);
                case Nbd.CMD_BLOCK_STATUS -> {
                    // QSD's order (nbd_handle_request): after the bounds and flags checks
                    if (r.length == 0) fail(r, Nbd.EINVAL, "need non-zero length");
                    else if (session.contexts() == 0) fail(r, Nbd.EINVAL, "CMD_BLOCK_STATUS not negotiated");
                    else blockStatus(r);
                }
                default -> fail(r, Nbd.EINVAL, "invalid request type (" + r.type + ") received");
            }
        } catch (BlockException e) {
            fail(r, errno(e), e.getMessage());
        } catch (BufferPool.NoBufferMemory | OutOfMemoryError e) {
            fail(r, Nbd.ENOMEM, "No memory");
        } catch (RuntimeException e) {
            fail(r, Nbd.EIO, String.valueOf(e.getMessage()));
        }
    }

    /** Feeds the moving average with small requests only (large ones are slow for their size). */
    private void observe(Request r, long t0) {
        if (r.length <= INLINE_MAX_LENGTH) {
            long d = System.nanoTime() - t0;
            long avg = ioNanos;
            ioNanos = avg + (d - avg) / 8;
        }
    }

    private void reply(Request r) {
        r.sent = true;
        if (r.inline) sink.enqueue(r);
        else sink.send(r);
    }

    private int fuaFlag(Request r) {
        return ((r.flags & Nbd.CMD_FLAG_FUA) != 0 || export.writethrough) ? IoFlags.FUA : 0;
    }

    /** The errno NBD allows for a block layer error (qemu's system_errno_to_nbd_errno). */
    static int errno(BlockException e) {
        return switch (e.kind()) {
            case PERMISSION, READ_ONLY -> Nbd.EPERM;
            case IO, NOT_FOUND, BUSY -> Nbd.EIO;
            case NO_SPACE -> Nbd.ENOSPC;
            case UNSUPPORTED -> Nbd.ENOTSUP;
            case INVALID_ARGUMENT, OUT_OF_RANGE -> Nbd.EINVAL;
        };
    }

    private void read(Request r) throws BlockException, BufferPool.NoBufferMemory {
        int len = (int) r.length;
        if (len == 0) {
            ok(r);
            return;
        }
        if (structured && len >= SPARSE_READ_MIN && export.sparseReads && (r.flags & Nbd.CMD_FLAG_DF) == 0) {
            sparseRead(r, len);
            return;
        }
        ByteBuffer data = BufferPool.SHARED.get(len);
        r.data = data;
        long t0 = System.nanoTime();
        io.read(r.offset, data);
        observe(r, t0);
        data.flip();
        ByteBuffer h = r.head;
        if (structured) {
            chunkHeader(h, r, Nbd.REPLY_FLAG_DONE, Nbd.REPLY_TYPE_OFFSET_DATA, 8L + len);
            h.putLong(r.offset);
        } else {
            h.putInt(Nbd.SIMPLE_REPLY_MAGIC).putInt(0).putLong(r.cookie);
        }
        h.flip();
        r.add(h);
        r.add(data);
        reply(r);
    }

    /** A structured read that sends holes as NBD_REPLY_TYPE_OFFSET_HOLE and reads only the data. */
    private void sparseRead(Request r, int len) throws BlockException, BufferPool.NoBufferMemory {
        ByteBuffer data = BufferPool.SHARED.get(len);
        r.data = data;
        int maxChunks = 64;
        ByteBuffer heads = BufferPool.SHARED.get(((extended ? 32 : 20) + 12) * maxChunks);
        r.extra = heads;
        long pos = r.offset;
        long end = r.offset + len;
        int chunks = 0;
        while (pos < end) {
            BlockStatus st = io.blockStatus(pos, end - pos);
            long n = Math.max(1, Math.min(st.length(), end - pos));
            boolean hole = st.isZero();
            if (chunks == maxChunks - 1) {
                n = end - pos; // out of chunk slots: the rest goes as data
                hole = false;
            }
            int flags = pos + n >= end ? Nbd.REPLY_FLAG_DONE : 0;
            int start = heads.position();
            ByteBuffer slice = null;
            if (hole) {
                chunkHeader(heads, r, flags, Nbd.REPLY_TYPE_OFFSET_HOLE, 12);
                heads.putLong(pos).putInt((int) n);
            } else {
                slice = data.slice((int) (pos - r.offset), (int) n);
                io.read(pos, slice);
                slice.flip();
                chunkHeader(heads, r, flags, Nbd.REPLY_TYPE_OFFSET_DATA, 8 + n);
                heads.putLong(pos);
            }
            r.add(heads.slice(start, heads.position() - start));
            if (slice != null) r.add(slice);
            pos += n;
            chunks++;
        }
        reply(r);
    }

    private void blockStatus(Request r) throws BlockException, BufferPool.NoBufferMemory {
        boolean one = (r.flags & Nbd.CMD_FLAG_REQ_ONE) != 0;
        int max = one ? 1 : MAX_EXTENTS;
        Extents base = session.baseAllocation ? Extents.allocation(export.node, r.offset, r.length, max) : null;
        Extents depth = session.allocationDepth ? Extents.depth(export.node, r.offset, r.length, max) : null;
        int hdr = extended ? 32 : 20;
        int per = extended ? 16 : 8;
        int fixed = extended ? 8 : 4;
        int total = 0;
        if (base != null) total += hdr + fixed + per * base.count;
        if (depth != null) total += hdr + fixed + per * depth.count;
        ByteBuffer b = BufferPool.SHARED.get(total); // at most 2 MiB: MAX_EXTENTS per context
        r.extra = b;
        if (base != null) statusChunk(b, r, Nbd.CTX_ID_BASE_ALLOCATION, base, depth == null);
        if (depth != null) statusChunk(b, r, Nbd.CTX_ID_ALLOCATION_DEPTH, depth, true);
        b.flip();
        r.add(b);
        reply(r);
    }

    private void statusChunk(ByteBuffer b, Request r, int ctx, Extents e, boolean last) {
        int type = extended ? Nbd.REPLY_TYPE_BLOCK_STATUS_EXT : Nbd.REPLY_TYPE_BLOCK_STATUS;
        long payload = extended ? 8 + 16L * e.count : 4 + 8L * e.count;
        chunkHeader(b, r, last ? Nbd.REPLY_FLAG_DONE : 0, type, payload);
        b.putInt(ctx);
        if (extended) {
            b.putInt(e.count);
            for (int i = 0; i < e.count; i++) b.putLong(e.lengths[i]).putLong(e.flags[i] & 0xffffffffL);
        } else {
            for (int i = 0; i < e.count; i++) b.putInt((int) e.lengths[i]).putInt(e.flags[i]);
        }
    }

    // ---- replies

    private void chunkHeader(ByteBuffer h, Request r, int flags, int type, long payload) {
        if (extended) {
            h.putInt(Nbd.EXTENDED_REPLY_MAGIC).putShort((short) flags).putShort((short) type)
                    .putLong(r.cookie).putLong(r.offset).putLong(payload);
        } else {
            h.putInt(Nbd.STRUCTURED_REPLY_MAGIC).putShort((short) flags).putShort((short) type)
                    .putLong(r.cookie).putInt((int) payload);
        }
    }

    /** Success without payload: a simple reply, or a NONE chunk with extended headers (simple replies are not allowed then). */
    private void ok(Request r) {
        ByteBuffer h = r.head;
        if (extended || (structured && r.type == Nbd.CMD_READ)) {
            chunkHeader(h, r, Nbd.REPLY_FLAG_DONE, Nbd.REPLY_TYPE_NONE, 0);
        } else {
            h.putInt(Nbd.SIMPLE_REPLY_MAGIC).putInt(0).putLong(r.cookie);
        }
        h.flip();
        r.add(h);
        reply(r);
    }

    /** An error reply: an error chunk with the message when structured, a simple reply otherwise. */
    private void fail(Request r, int errno, String message) {
        BufferPool.SHARED.put(r.data);
        r.data = null;
        if (r.extra != null) {
            BufferPool.SHARED.put(r.extra);
            r.extra = null;
        }
        r.outCount = 0;
        ByteBuffer h = r.head;
        h.clear();
        if (structured) {
            byte[] msg = message == null ? new byte[0] : message.getBytes(StandardCharsets.UTF_8);
            int ml = Math.min(msg.length, Nbd.MAX_STRING);
            chunkHeader(h, r, Nbd.REPLY_FLAG_DONE, Nbd.REPLY_TYPE_ERROR, 6L + ml);
            h.putInt(errno).putShort((short) ml);
            h.flip();
            r.add(h);
            if (ml > 0) r.add(ByteBuffer.wrap(msg, 0, ml));
        } else {
            h.putInt(Nbd.SIMPLE_REPLY_MAGIC).putInt(errno).putLong(r.cookie);
            h.flip();
            r.add(h);
        }
        reply(r);
    }
}
