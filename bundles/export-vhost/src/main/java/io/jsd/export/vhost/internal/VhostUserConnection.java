package io.jsd.export.vhost.internal;

import static io.jsd.export.vhost.internal.VhostUser.*;

import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.FileDescriptorCast;

/**
 * One front-end connection: reads vhost-user messages, keeps the memory table and the vring
 * states, and starts/stops a {@link QueueWorker} per ring. Anything malformed closes this
 * connection only; {@link #run} always cleans up (rings stopped and drained, memory unmapped,
 * fds closed) before it returns.
 */
final class VhostUserConnection {
    private static final Logger LOG = Logger.getLogger(VhostUserConnection.class.getName());

    private final AFUNIXSocket socket;
    private final VhostUserBackend device;
    private final String name;
    private final VringState[] vrings;
    private GuestMemory memory = GuestMemory.EMPTY;
    private InflightRegion inflight;
    private long features;
    private long protocolFeatures;
    private volatile boolean closing;

    VhostUserConnection(AFUNIXSocket socket, VhostUserBackend device, String name) {
        this.socket = socket;
        this.device = device;
        this.name = name;
        this.vrings = new VringState[device.numQueues()];
        for (int i = 0; i < vrings.length; i++) vrings[i] = new VringState(i);
    }

    /**
     * Serves messages until the front-end leaves or breaks the protocol. Every fd that arrives is
     * closed unless the message it came with takes it (more than MAX_FDS in one message end the
     * connection, as in QEMU's vhost-user server). Blocks in poll(2): call it on a platform thread.
     */
    void run() {
        try (MessageSocket in = new MessageSocket(FileDescriptorCast.using(socket.getFileDescriptor()).as(Integer.class))) {
            OutputStream out = socket.getOutputStream();
            byte[] hdr = new byte[HEADER_SIZE];
            while (!closing) {
                int[] fds = NO_FDS;
                try {
                    if (!in.readFully(hdr, true)) break;
                    ByteBuffer h = ByteBuffer.wrap(hdr).order(ByteOrder.LITTLE_ENDIAN);
                    int request = h.getInt(0), flags = h.getInt(4), size = h.getInt(8);
                    if ((flags & VERSION_MASK) != VERSION) throw new ProtocolException("bad message version in flags 0x" + Integer.toHexString(flags));
                    if (size < 0 || size > MAX_PAYLOAD) throw new ProtocolException("message payload of " + Integer.toUnsignedString(size) + " bytes");
                    byte[] payload = new byte[size];
                    if (!in.readFully(payload, false)) throw new EOFException("truncated message");
                    fds = in.takeFds();
                    dispatch(out, request, (flags & FLAG_NEED_REPLY) != 0,
                            ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN), fds);
                } finally {
                    for (int fd : fds) if (fd >= 0) Native.close(fd);
                    for (int fd : in.takeFds()) Native.close(fd); // arrived with a message that failed
                }
            }
        } catch (EOFException e) {
            LOG.info(name + ": front-end disconnected in the middle of a message");
        } catch (IOException e) {
            if (!closing) LOG.warning(name + ": closing the connection: " + e.getMessage());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, name + ": closing the connection after an internal error", e);
        } finally {
            cleanup();
        }
    }

    private static final int[] NO_FDS = new int[0];

    /** One line per ring, for diagnostics. */
    String describe() {
        StringBuilder b = new StringBuilder();
        for (VringState r : vrings) {
            SplitVirtqueue q = r.vq;
            b.append("ring ").append(r.index).append(" enabled=").append(r.enabled).append(' ')
                    .append(q == null ? "stopped base=" + r.base : q.describe()).append('\n');
        }
        return b.toString();
    }

    /** How many rings have a running queue thread (for tests and diagnostics). */
    int runningRings() {
        int n = 0;
        for (VringState r : vrings) if (r.worker != null && r.enabled) n++;
        return n;
    }

    /**
     * Drops the front-end from another thread; {@link #run} then cleans up and returns. Only the
     * receiving side is shut down here: the rings are drained while the front-end still listens,
     * so the completions of requests in flight reach the guest (QEMU stops watching the call
     * eventfds as soon as it sees the socket close) before {@link #cleanup} closes the socket.
     */
    void disconnect() {
        closing = true;
        try {
            socket.shutdownInput();
        } catch (IOException e) {
            try {
                socket.close();
            } catch (IOException e2) {
                // already gone
            }
        }
    }

    private static final boolean TRACE = Boolean.getBoolean("jsd.vhost.trace");

    private void dispatch(OutputStream out, int request, boolean needReply, ByteBuffer p, int[] fds) throws IOException {
        if (TRACE) LOG.info(name + ": " + VhostUser.name(request) + " " + p.remaining() + " bytes, " + fds.length + " fds");
        byte[] reply;
        int[] replyFd = {-1};
        try {
            reply = handle(request, p, fds, replyFd);
        } catch (RefusedException e) {
            LOG.info(name + ": refused " + VhostUser.name(request) + ": " + e.getMessage());
            if (needReply) send(out, request, u64(1), -1);
            return;
        }
        try {
            if (reply != null) send(out, request, reply, replyFd[0]);
            else if (needReply) send(out, request, u64(0), -1);
        } finally {
            Native.close(replyFd[0]);
        }
    }

    private void send(OutputStream out, int request, byte[] payload, int fd) throws IOException {
        ByteBuffer m = ByteBuffer.allocate(HEADER_SIZE + payload.length).order(ByteOrder.LITTLE_ENDIAN);
        m.putInt(request).putInt(VERSION | FLAG_REPLY).putInt(payload.length).put(payload);
        if (fd >= 0) socket.setOutboundFileDescriptors(FileDescriptorCast.unsafeUsing(fd).getFileDescriptor());
        out.write(m.array());
        out.flush();
    }

    private static byte[] u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    private static void need(ByteBuffer p, int bytes, int request) throws ProtocolException {
        if (p.remaining() < bytes) {
            throw new ProtocolException(VhostUser.name(request) + " payload of " + p.remaining() + " bytes, expected " + bytes);
        }
    }

    /** Takes the single fd a message must carry (ownership moves to the caller). */
    private static int takeFd(int[] fds, int request) throws ProtocolException {
        if (fds.length != 1) throw new ProtocolException(VhostUser.name(request) + " with " + fds.length + " fds, expected 1");
        int fd = fds[0];
        fds[0] = -1;
        return fd;
    }

    private VringState vring(int index, int request) throws ProtocolException {
        if (index < 0 || index >= vrings.length) throw new ProtocolException(VhostUser.name(request) + " for vring " + index + " of " + vrings.length);
        return vrings[index];
    }

    private boolean has(long featureBits, int bit) { return (featureBits & (1L << bit)) != 0; }

    /** Handles one message; returns the reply payload of a GET-style request, else null. */
    private byte[] handle(int request, ByteBuffer p, int[] fds, int[] replyFd) throws IOException, RefusedException {
        switch (request) {
            case GET_FEATURES:
                return u64(device.features() | 1L << F_PROTOCOL_FEATURES);
            case SET_FEATURES:
                need(p, 8, request);
                features = p.getLong(0) & (device.features() | 1L << F_PROTOCOL_FEATURES);
                return null;
            case GET_PROTOCOL_FEATURES:
                return u64(PROTOCOL_FEATURES);
            case SET_PROTOCOL_FEATURES:
                need(p, 8, request);
                protocolFeatures = p.getLong(0) & PROTOCOL_FEATURES;
                return null;
            case SET_OWNER:
                return null;
            case RESET_OWNER, RESET_DEVICE:
                for (VringState r : vrings) {
                    stopRing(r);
                    r.reset();
                }
                return null;
            case GET_QUEUE_NUM:
                return u64(vrings.length);
            case GET_MAX_MEM_SLOTS:
                return u64(MAX_MEM_SLOTS);
            case SET_MEM_TABLE:
                setMemTable(p, fds);
                return null;
            case ADD_MEM_REG:
                addMemRegion(p, fds);
                return null;
            case REM_MEM_REG:
                removeMemRegion(p);
                return null;
            case SET_VRING_NUM: {
                need(p, 8, request);
                VringState r = vring(p.getInt(0), request);
                int num = p.getInt(4);
                if (num <= 0 || num > SplitVirtqueue.MAX_SIZE || Integer.bitCount(num) != 1) {
                    throw new ProtocolException("bad vring size " + num);
                }
                if (r.running()) throw new ProtocolException("SET_VRING_NUM on a started vring");
                r.num = num;
                return null;
            }
            case SET_VRING_ADDR: {
                need(p, 40, request);
                VringState r = vring(p.getInt(0), request);
                if (r.running()) throw new ProtocolException("SET_VRING_ADDR on a started vring");
                r.descUser = p.getLong(8);
                r.usedUser = p.getLong(16);
                r.availUser = p.getLong(24);
                r.addrSet = true;
                return null;
            }
            case SET_VRING_BASE: {
                need(p, 8, request);
                VringState r = vring(p.getInt(0), request);
                if (r.running()) throw new ProtocolException("SET_VRING_BASE on a started vring");
                r.base = p.getInt(4) & 0xffff;
                return null;
            }
            case GET_VRING_BASE: {
                need(p, 8, request);
                VringState r = vring(p.getInt(0), request);
                stopRing(r);
                Native.close(r.kickFd);
                r.kickFd = -1;
                return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(r.index).putInt(r.base).array();
            }
            case SET_VRING_KICK, SET_VRING_CALL, SET_VRING_ERR:
                setVringFd(request, p, fds);
                return null;
            case SET_VRING_ENABLE: {
                need(p, 8, request);
                VringState r = vring(p.getInt(0), request);
                r.enabled = p.getInt(4) != 0;
                if (r.worker != null) r.worker.setEnabled(r.enabled);
                return null;
            }
            case GET_CONFIG:
                return getConfig(p);
            case SET_CONFIG:
                setConfig(p);
                return null;
            case GET_INFLIGHT_FD:
                return getInflight(p, replyFd);
            case SET_INFLIGHT_FD:
                setInflight(p, fds);
                return null;
            case SET_LOG_BASE, SET_LOG_FD, SET_BACKEND_REQ_FD, SET_VRING_ENDIAN, IOTLB_MSG, SEND_RARP, NET_SET_MTU,
                 POSTCOPY_ADVISE, POSTCOPY_LISTEN, POSTCOPY_END:
                throw new RefusedException("not supported by this back-end");
            default:
                throw new ProtocolException("unknown request " + request);
        }
    }

    // ---- memory table ----

    private MemoryRegion readRegion(ByteBuffer p, int off, int fd) throws IOException {
        long gpa = p.getLong(off), size = p.getLong(off + 8), uva = p.getLong(off + 16), mmapOffset = p.getLong(off + 24);
        return MemoryRegion.map(gpa, size, uva, mmapOffset, fd);
    }

    private void setMemTable(ByteBuffer p, int[] fds) throws IOException {
        need(p, 8, SET_MEM_TABLE);
        int n = p.getInt(0);
        if (n < 0 || n > MAX_TABLE_REGIONS) throw new ProtocolException("SET_MEM_TABLE with " + n + " regions");
        need(p, 8 + 32 * n, SET_MEM_TABLE);
        if (fds.length != n) throw new ProtocolException("SET_MEM_TABLE with " + n + " regions and " + fds.length + " fds");
        List<MemoryRegion> regions = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                MemoryRegion r = readRegion(p, 8 + 32 * i, fds[i]);
                for (MemoryRegion o : regions) {
                    if (o.overlaps(r)) {
                        r.unmap();
                        throw new ProtocolException("overlapping memory regions " + o + " and " + r);
                    }
                }
                regions.add(r);
            }
        } catch (IOException e) {
            for (MemoryRegion r : regions) r.unmap();
            throw e;
        }
        replaceMemory(new GuestMemory(regions.toArray(MemoryRegion[]::new)), memory.regions());
    }

    private void addMemRegion(ByteBuffer p, int[] fds) throws IOException, RefusedException {
        need(p, 40, ADD_MEM_REG);
        int fd = takeFd(fds, ADD_MEM_REG);
        MemoryRegion r;
        try {
            if (memory.count() >= MAX_MEM_SLOTS) throw new RefusedException("all " + MAX_MEM_SLOTS + " memory slots are used");
            r = readRegion(p, 8, fd);
        } finally {
            Native.close(fd);
        }
        MemoryRegion[] old = memory.regions();
        for (MemoryRegion o : old) {
            if (o.overlaps(r)) {
                r.unmap();
                throw new RefusedException("memory region " + r + " overlaps " + o);
            }
        }
        MemoryRegion[] next = Arrays.copyOf(old, old.length + 1);
        next[old.length] = r;
        replaceMemory(new GuestMemory(next), new MemoryRegion[0]);
    }

    private void removeMemRegion(ByteBuffer p) throws IOException, RefusedException {
        need(p, 40, REM_MEM_REG);
        long gpa = p.getLong(8), size = p.getLong(16), uva = p.getLong(24);
        MemoryRegion[] old = memory.regions();
        for (int i = 0; i < old.length; i++) {
            if (old[i].sameAs(gpa, size, uva)) {
                MemoryRegion[] next = new MemoryRegion[old.length - 1];
                System.arraycopy(old, 0, next, 0, i);
                System.arraycopy(old, i + 1, next, i, old.length - i - 1);
                replaceMemory(new GuestMemory(next), new MemoryRegion[] {old[i]});
                return;
            }
        }
        throw new RefusedException(String.format("no memory region at gpa 0x%x size 0x%x", gpa, size));
    }

    /**
     * Swaps the memory table. Running rings are stopped (and their requests drained) first, so no
     * thread can touch a region while it is unmapped, then restarted over the new table.
     */
    private void replaceMemory(GuestMemory next, MemoryRegion[] toUnmap) throws IOException {
        List<VringState> paused = pauseRings();
        memory = next;
        for (MemoryRegion r : toUnmap) r.unmap();
        resumeRings(paused);
    }

    private List<VringState> pauseRings() {
        List<VringState> paused = new ArrayList<>();
        for (VringState r : vrings) {
            if (r.running()) {
                stopRing(r);
                paused.add(r);
            }
        }
        return paused;
    }

    private void resumeRings(List<VringState> paused) throws IOException {
        for (VringState r : paused) startRing(r);
    }

    // ---- rings ----

    private void setVringFd(int request, ByteBuffer p, int[] fds) throws IOException {
        need(p, 8, request);
        long v = p.getLong(0);
        VringState r = vring((int) (v & VRING_IDX_MASK), request);
        int fd = -1;
        if ((v & VRING_NOFD_MASK) == 0) fd = takeFd(fds, request);
        switch (request) {
            case SET_VRING_KICK -> {
                stopRing(r);
                Native.close(r.kickFd);
                r.kickFd = fd;
                if (fd < 0) LOG.info(name + ": vring " + r.index + " without kick fd (polling) is not supported; it stays stopped");
                else startRing(r);
            }
            case SET_VRING_CALL -> {
                int old = r.callFd;
                r.callFd = fd;
                if (r.vq != null) r.vq.swapCallFd(fd);
                Native.close(old);
            }
            default -> {
                Native.close(r.errFd);
                r.errFd = fd;
            }
        }
    }

    private void startRing(VringState r) throws IOException {
        if (!r.startable()) return;
        InflightQueue iq = inflight != null ? inflight.queue(r.index, r.num) : null;
        boolean hasProtocolFeatures = has(features, F_PROTOCOL_FEATURES);
        SplitVirtqueue vq;
        try {
            vq = new SplitVirtqueue(r.index, r.num, r.descUser, r.availUser, r.usedUser, r.base,
                    has(features, VirtioBlk.F_RING_EVENT_IDX), has(features, VirtioBlk.F_RING_INDIRECT_DESC), memory, iq);
        } catch (GuestMemoryException e) {
            throw new ProtocolException("vring " + r.index + ": " + e.getMessage());
        }
        vq.swapCallFd(r.callFd);
        // Without protocol features a ring is enabled as soon as it starts (vhost-user.rst, "Ring states").
        boolean enabled = hasProtocolFeatures ? r.enabled : true;
        QueueWorker w = new QueueWorker(name + "-vq" + r.index, vq, device, r.kickFd, enabled, why -> disconnect());
        r.vq = vq;
        r.worker = w;
        w.start();
    }

    /** Stops a ring's thread after its in-flight requests complete; remembers where it stopped. */
    private void stopRing(VringState r) {
        if (r.worker == null) return;
        r.worker.stop();
        r.base = r.vq.lastAvailIdx();
        r.vq.swapCallFd(-1);
        r.worker = null;
        r.vq = null;
    }

    // ---- config space ----

    private byte[] getConfig(ByteBuffer p) throws ProtocolException {
        need(p, 12, GET_CONFIG);
        int offset = p.getInt(0), size = p.getInt(4), flags = p.getInt(8);
        if (size < 0 || size > MAX_CONFIG_SIZE) throw new ProtocolException("GET_CONFIG of " + size + " bytes");
        byte[] cfg = device.config();
        if (offset < 0 || offset > cfg.length || size > cfg.length - offset) {
            LOG.info(name + ": GET_CONFIG outside the config space: offset " + offset + " size " + size);
            return new byte[0]; // an empty reply tells the front-end it failed
        }
        ByteBuffer r = ByteBuffer.allocate(12 + size).order(ByteOrder.LITTLE_ENDIAN);
        r.putInt(offset).putInt(size).putInt(flags).put(cfg, offset, size);
        return r.array();
    }

    private void setConfig(ByteBuffer p) throws ProtocolException, RefusedException {
        need(p, 12, SET_CONFIG);
        int offset = p.getInt(0), size = p.getInt(4), flags = p.getInt(8);
        if (size < 0 || size > MAX_CONFIG_SIZE) throw new ProtocolException("SET_CONFIG of " + size + " bytes");
        need(p, 12 + size, SET_CONFIG);
        if (flags != 0) throw new RefusedException("SET_CONFIG for migration is not supported");
        byte[] data = new byte[size];
        p.get(12, data);
        if (!device.setConfig(offset, data)) throw new RefusedException("config offset " + offset + " size " + size + " is read-only");
    }

    // ---- inflight tracking ----

    private byte[] getInflight(ByteBuffer p, int[] replyFd) throws IOException {
        need(p, 20, GET_INFLIGHT_FD);
        int numQueues = p.getShort(16) & 0xffff, queueSize = p.getShort(18) & 0xffff;
        checkInflightGeometry(GET_INFLIGHT_FD, numQueues, queueSize);
        // Nothing of it stays here: the region is unmapped and our fd closed once it is sent, so
        // repeated requests hold no memory of this process (the front-end owns what it keeps).
        InflightRegion r = InflightRegion.create(numQueues, queueSize, replyFd);
        r.unmap(); // the front-end hands it back with SET_INFLIGHT_FD, which maps it for use
        return ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(r.mmapSize).putLong(0).putShort((short) numQueues).putShort((short) queueSize).array();
    }

    private void setInflight(ByteBuffer p, int[] fds) throws IOException {
        need(p, 20, SET_INFLIGHT_FD);
        checkInflightGeometry(SET_INFLIGHT_FD, p.getShort(16) & 0xffff, p.getShort(18) & 0xffff);
        int fd = takeFd(fds, SET_INFLIGHT_FD);
        InflightRegion r;
        try {
            r = InflightRegion.map(fd, p.getLong(0), p.getLong(8), p.getShort(16) & 0xffff, p.getShort(18) & 0xffff);
        } finally {
            Native.close(fd);
        }
        List<VringState> paused = pauseRings();
        InflightRegion old = inflight;
        inflight = r;
        if (old != null) old.unmap();
        resumeRings(paused);
    }

    /**
     * An inflight region covers at most this device's queues, each at most a maximum-sized ring:
     * the peer's numbers alone (up to 65535 queues of 65535) would ask for gigabytes.
     */
    private void checkInflightGeometry(int request, int numQueues, int queueSize) throws ProtocolException {
        if (numQueues < 1 || numQueues > vrings.length || queueSize < 1 || queueSize > SplitVirtqueue.MAX_SIZE) {
            throw new ProtocolException(VhostUser.name(request) + " for " + numQueues + " queues of " + queueSize
                    + " (the device has " + vrings.length + " queues of at most " + SplitVirtqueue.MAX_SIZE + ")");
        }
    }

    private void cleanup() {
        closing = true;
        for (VringState r : vrings) {
            stopRing(r);
            r.reset();
        }
        device.disconnected();
        for (MemoryRegion r : memory.regions()) r.unmap();
        memory = GuestMemory.EMPTY;
        if (inflight != null) inflight.unmap();
        inflight = null;
        try {
            socket.close();
        } catch (IOException e) {
            // nothing left to do
        }
    }
}
