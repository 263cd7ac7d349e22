package io.jsd.export.vhost.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A split virtqueue (virtio 1.x, 2.7) over guest memory: pops descriptor chains from the available
 * ring and pushes used elements, with indirect descriptors and EVENT_IDX notification suppression.
 *
 * <p>Threading: {@link #pop} runs on the queue's own thread only; {@link #push} may be called from
 * any request thread and serialises on this object, which also guards the call fd.
 */
public final class SplitVirtqueue {
    static final int MAX_SIZE = 32768;
    /**
     * Most buffers one request may name (libvhost-user's VIRTQUEUE_MAX_SIZE, its max_num_sg): a
     * chain's memory here grows with its buffers, and an indirect table alone could name 32768.
     */
    static final int MAX_SEGMENTS = 1024;
    private static final int DESC_F_NEXT = 1, DESC_F_WRITE = 2, DESC_F_INDIRECT = 4;
    private static final int AVAIL_F_NO_INTERRUPT = 1;
    private static final int DESC_SIZE = 16;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    final int index;
    private final int size;
    private final boolean eventIdx;
    private final boolean indirectAllowed;
    private final GuestMemory memory;
    private final MemorySegment desc, avail, used;
    private final InflightQueue inflight;

    /** Next available ring entry to pop (queue thread only, and the protocol thread while stopped). */
    private int lastAvailIdx;
    /** Our copy of used->idx (under the lock). */
    private int usedIdx;
    private boolean signalledValid;
    private int signalledUsed;
    private int callFd;
    private long inflightCounter;

    /**
     * Maps the ring structures. Addresses are the front-end's virtual addresses (SET_VRING_ADDR);
     * each structure must lie inside one memory region and be aligned as the spec requires.
     */
    SplitVirtqueue(int index, int size, long descUser, long availUser, long usedUser, int lastAvailIdx,
                   boolean eventIdx, boolean indirectAllowed, GuestMemory memory, InflightQueue inflight)
            throws GuestMemoryException {
        this.index = index;
        this.size = size;
        this.eventIdx = eventIdx;
        this.indirectAllowed = indirectAllowed;
        this.memory = memory;
        this.inflight = inflight;
        if (size <= 0 || size > MAX_SIZE || Integer.bitCount(size) != 1) throw new GuestMemoryException("bad queue size " + size);
        if ((descUser & 15) != 0 || (availUser & 1) != 0 || (usedUser & 3) != 0) {
            throw new GuestMemoryException("misaligned vring addresses");
        }
        long descLen = (long) DESC_SIZE * size, availLen = 6 + 2L * size, usedLen = 6 + 8L * size;
        this.desc = memory.segment(memory.userToGuest(descUser, descLen), descLen);
        this.avail = memory.segment(memory.userToGuest(availUser, availLen), availLen);
        this.used = memory.segment(memory.userToGuest(usedUser, usedLen), usedLen);
        this.lastAvailIdx = lastAvailIdx & 0xffff;
        this.usedIdx = u16(used, 2);
        this.callFd = -1;
    }

    private static int u16(MemorySegment s, long off) { return s.get(U16, off) & 0xffff; }

    int size() { return size; }

    int lastAvailIdx() { return lastAvailIdx; }

    int usedIdx() { synchronized (this) { return usedIdx; } }

    /** Ring indices as the back-end and the guest see them, for diagnostics. */
    synchronized String describe() {
        return "vq" + index + " size=" + size + " last_avail=" + lastAvailIdx + " used=" + usedIdx
                + " ring.avail=" + u16(avail, 2) + " ring.used=" + u16(used, 2) + " used_event=" + u16(avail, 4 + 2L * size)
                + " avail_event=" + u16(used, 4 + 8L * size) + " avail.flags=" + u16(avail, 0) + " call=" + callFd;
    }

    /** Replaces the call eventfd; returns the previous one for the caller to close. */
    synchronized int swapCallFd(int fd) {
        int old = callFd;
        callFd = fd;
        return old;
    }

    private int availIdx() {
        int v = u16(avail, 2);
        VarHandle.acquireFence(); // read ring entries only after the index that publishes them
        return v;
    }

    /**
     * Heads that were in flight when the previous back-end (or connection) went away, oldest first,
     * per "Inflight I/O tracking" in vhost-user.rst; also moves lastAvailIdx past them.
     */
    List<Integer> recoverInflight() {
        if (inflight == null) return List.of();
        List<Integer> heads = inflight.recover(usedIdx, size);
        lastAvailIdx = (usedIdx + heads.size()) & 0xffff;
        if (!heads.isEmpty()) inflightCounter = inflight.maxCounter() + 1;
        return heads;
    }

    /** The next chain, or null when the ring is empty (then re-arms EVENT_IDX notification). */
    DescriptorChain pop() throws VirtqueueException {
        int availIdx = availIdx();
        if (availIdx == lastAvailIdx) {
            if (!eventIdx) return null;
            setAvailEvent(lastAvailIdx);
            VarHandle.fullFence();
            availIdx = availIdx();
            if (availIdx == lastAvailIdx) return null;
        }
        if (((availIdx - lastAvailIdx) & 0xffff) > size) {
            throw new VirtqueueException("avail index moved by " + ((availIdx - lastAvailIdx) & 0xffff) + " on a queue of " + size);
        }
        int head = u16(avail, 4 + 2L * (lastAvailIdx & (size - 1)));
        lastAvailIdx = (lastAvailIdx + 1) & 0xffff;
        if (eventIdx) setAvailEvent(lastAvailIdx);
        if (head >= size) throw new VirtqueueException("descriptor head " + head + " out of range");
        DescriptorChain chain = chainAt(head);
        if (inflight != null) inflight.begin(head, inflightCounter++);
        return chain;
    }

    private void setAvailEvent(int idx) { used.set(U16, 4 + 8L * size, (short) idx); }

    /** Walks the chain starting at {@code head}; bounded by the table size, so loops are caught. */
    DescriptorChain chainAt(int head) throws VirtqueueException {
        List<ByteBuffer> readable = new ArrayList<>(4);
        List<ByteBuffer> writable = new ArrayList<>(4);
        long writableBytes = 0;
        String bad = null;
        MemorySegment table = desc;
        int tableSize = size;
        boolean inIndirect = false;
        int idx = head;
        int seen = 0;
        while (true) {
            if (++seen > tableSize) throw new VirtqueueException("descriptor chain at " + head + " loops");
            long off = (long) idx * DESC_SIZE;
            long addr = table.get(U64, off);
            long len = table.get(U32, off + 8) & 0xffffffffL;
            int flags = table.get(U16, off + 12) & 0xffff;
            int next = table.get(U16, off + 14) & 0xffff;
            if ((flags & DESC_F_INDIRECT) != 0) {
                if (!indirectAllowed || inIndirect) throw new VirtqueueException("unexpected indirect descriptor in chain " + head);
                if ((flags & DESC_F_NEXT) != 0) throw new VirtqueueException("indirect descriptor with NEXT in chain " + head);
                if (len == 0 || len % DESC_SIZE != 0 || len / DESC_SIZE > MAX_SIZE) {
                    throw new VirtqueueException("bad indirect table length " + len + " in chain " + head);
                }
                try {
                    table = memory.segment(addr, len);
                } catch (GuestMemoryException e) {
                    throw new VirtqueueException("indirect table of chain " + head + ": " + e.getMessage());
                }
                tableSize = (int) (len / DESC_SIZE);
                inIndirect = true;
                idx = 0;
                seen = 0;
                continue;
            }
            boolean last = (flags & DESC_F_NEXT) == 0;
            try {
                if ((flags & DESC_F_WRITE) != 0) {
                    memory.buffers(addr, len, writable);
                    writableBytes += len;
                } else {
                    if (!writable.isEmpty()) throw new VirtqueueException("readable descriptor after writable one in chain " + head);
                    memory.buffers(addr, len, readable);
                }
            } catch (GuestMemoryException e) {
                // The status byte lives in the last descriptor: without it the request cannot even fail.
                if (last) throw new VirtqueueException("last descriptor of chain " + head + ": " + e.getMessage());
                if (bad == null) bad = e.getMessage();
            }
            if (readable.size() + writable.size() > MAX_SEGMENTS) {
                throw new VirtqueueException("more than " + MAX_SEGMENTS + " buffers in chain " + head);
            }
            if (last) break;
            if (next >= tableSize) throw new VirtqueueException("next index " + next + " out of range in chain " + head);
            idx = next;
        }
        return new DescriptorChain(head, readable, writable, writableBytes, bad);
    }

    /** Puts a completed chain on the used ring and signals the front-end if it wants to be told. */
    synchronized void push(int head, int len) {
        used.set(U32, 4 + 8L * (usedIdx & (size - 1)), head);
        used.set(U32, 8 + 8L * (usedIdx & (size - 1)), len);
        if (inflight != null) inflight.lastBatchHead(head);
        VarHandle.releaseFence(); // the element before the index that publishes it
        usedIdx = (usedIdx + 1) & 0xffff;
        used.set(U16, 2, (short) usedIdx);
        if (inflight != null) inflight.end(head, usedIdx);
        VarHandle.fullFence(); // publish used before reading the guest's suppression fields
        if (needNotify() && callFd >= 0) Native.signal(callFd);
    }

    /**
     * Signals the front-end regardless of suppression. Used when a ring (re)starts: completions the
     * previous back-end or connection pushed may have been signalled while the front-end was
     * switching notifiers; a spurious interrupt is harmless, a lost one hangs the guest.
     */
    synchronized void notifyNow() {
        if (callFd >= 0) Native.signal(callFd);
    }

    private boolean needNotify() {
        if (!eventIdx) return (u16(avail, 0) & AVAIL_F_NO_INTERRUPT) == 0;
        boolean valid = signalledValid;
        int old = signalledUsed;
        signalledValid = true;
        signalledUsed = usedIdx;
        int event = u16(avail, 4 + 2L * size);
        return !valid || ((usedIdx - event - 1) & 0xffff) < ((usedIdx - old) & 0xffff);
    }
}
