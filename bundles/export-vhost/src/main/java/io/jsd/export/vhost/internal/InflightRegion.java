package io.jsd.export.vhost.internal;

import java.io.IOException;
import java.lang.foreign.MemorySegment;

/** The whole inflight memfd, mapped: one {@link InflightQueue} region per queue. */
final class InflightRegion {
    final long mmapSize;
    final long mmapOffset;
    final int numQueues;
    final int queueSize;
    private final long base;
    private final MemorySegment seg;

    private InflightRegion(long base, long mmapSize, long mmapOffset, int numQueues, int queueSize) {
        this.base = base;
        this.mmapSize = mmapSize;
        this.mmapOffset = mmapOffset;
        this.numQueues = numQueues;
        this.queueSize = queueSize;
        this.seg = MemorySegment.ofAddress(base).reinterpret(mmapSize);
    }

    static long size(int numQueues, int queueSize) { return numQueues * InflightQueue.regionSize(queueSize); }

    /** GET_INFLIGHT_FD: a new zeroed memfd; the caller sends {@code fdOut[0]} and closes it. */
    static InflightRegion create(int numQueues, int queueSize, int[] fdOut) throws IOException {
        if (numQueues <= 0 || queueSize <= 0 || queueSize > SplitVirtqueue.MAX_SIZE) {
            throw new IOException("bad inflight geometry: " + numQueues + " queues of " + queueSize);
        }
        long size = size(numQueues, queueSize);
        int fd = Native.memfd("jsd-vhost-inflight", size);
        try {
            InflightRegion r = new InflightRegion(Native.mmap(fd, size, 0), size, 0, numQueues, queueSize);
            for (int q = 0; q < numQueues; q++) InflightQueue.initialise(r.queueSegment(q), queueSize);
            fdOut[0] = fd;
            return r;
        } catch (IOException e) {
            Native.close(fd);
            throw e;
        }
    }

    /** SET_INFLIGHT_FD: maps what the front-end kept (the fd stays the caller's). */
    static InflightRegion map(int fd, long mmapSize, long mmapOffset, int numQueues, int queueSize) throws IOException {
        if (numQueues <= 0 || queueSize <= 0 || queueSize > SplitVirtqueue.MAX_SIZE
                || mmapSize < size(numQueues, queueSize) || mmapSize > 1L << 32
                || mmapOffset < 0 || (mmapOffset & (MemoryRegion.PAGE - 1)) != 0 || mmapOffset > Long.MAX_VALUE - mmapSize) {
            throw new IOException("bad inflight region: size " + mmapSize + " offset " + mmapOffset
                    + ", " + numQueues + " queues of " + queueSize);
        }
        if (Native.fileSize(fd) < mmapOffset + mmapSize) throw new IOException("inflight region beyond the end of its file");
        return new InflightRegion(Native.mmap(fd, mmapSize, mmapOffset), mmapSize, mmapOffset, numQueues, queueSize);
    }

    MemorySegment queueSegment(int q) {
        long r = InflightQueue.regionSize(queueSize);
        return seg.asSlice(q * r, r);
    }

    /** The tracking view for queue {@code q} with a ring of {@code vringSize}, or null if it does not fit. */
    InflightQueue queue(int q, int vringSize) {
        if (q >= numQueues) return null;
        return InflightQueue.of(queueSegment(q), vringSize);
    }

    void unmap() { Native.munmap(base, mmapSize); }
}
