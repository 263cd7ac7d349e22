package io.jsd.export.vhost.internal;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * An immutable view of the guest's memory table. Every translation checks that the whole range
 * lies inside the regions (no wrap-around); a range that crosses from one region into an adjacent
 * one is split into several buffers.
 */
public final class GuestMemory {
    static final GuestMemory EMPTY = new GuestMemory(new MemoryRegion[0]);

    private final MemoryRegion[] regions;

    GuestMemory(MemoryRegion[] regions) { this.regions = regions; }

    MemoryRegion[] regions() { return regions.clone(); }

    int count() { return regions.length; }

    private MemoryRegion findGuest(long gpa) {
        for (MemoryRegion r : regions) if (r.containsGuest(gpa)) return r;
        return null;
    }

    /** The segment for a range that must lie inside one region (ring structures, indirect tables). */
    MemorySegment segment(long gpa, long len) throws GuestMemoryException {
        MemoryRegion r = findGuest(gpa);
        if (r == null) throw new GuestMemoryException(String.format("guest address 0x%x is not mapped", gpa));
        long off = gpa - r.guestAddr;
        if (len < 0 || len > r.size - off) {
            throw new GuestMemoryException(String.format("guest range 0x%x+0x%x leaves its memory region", gpa, len));
        }
        return r.segment.asSlice(off, len);
    }

    /** Adds little-endian buffers covering {@code [gpa, gpa + len)} to {@code out}; len may be 0. */
    void buffers(long gpa, long len, List<ByteBuffer> out) throws GuestMemoryException {
        if (len < 0 || len > 0 && Long.compareUnsigned(gpa, -len) > 0) {
            throw new GuestMemoryException(String.format("guest range 0x%x+0x%x wraps around", gpa, len));
        }
        long addr = gpa;
        long left = len;
        while (left > 0) {
            MemoryRegion r = findGuest(addr);
            if (r == null) throw new GuestMemoryException(String.format("guest address 0x%x is not mapped", addr));
            long off = addr - r.guestAddr;
            long n = Math.min(left, Math.min(r.size - off, Integer.MAX_VALUE & ~4095L));
            out.add(r.segment.asSlice(off, n).asByteBuffer().order(ByteOrder.LITTLE_ENDIAN));
            addr += n;
            left -= n;
        }
    }

    /** Translates a front-end (QEMU process) virtual address of a ring to a guest physical one. */
    long userToGuest(long uva, long len) throws GuestMemoryException {
        for (MemoryRegion r : regions) {
            if (r.containsUser(uva)) {
                long off = uva - r.userAddr;
                if (len < 0 || len > r.size - off) {
                    throw new GuestMemoryException(String.format("ring at user address 0x%x+0x%x leaves its memory region", uva, len));
                }
                return r.guestAddr + off;
            }
        }
        throw new GuestMemoryException(String.format("user address 0x%x is not mapped", uva));
    }
}
