package io.jsd.export.vhost.internal;

import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * One region of guest memory, mmapped (MAP_SHARED) from the fd the front-end passed.
 * {@link #segment} covers exactly {@code [guestAddr, guestAddr + size)}: every access through it is
 * bounds-checked by the JDK, so a bad guest address can never reach daemon memory.
 */
public final class MemoryRegion {
    static final long PAGE = 4096;

    final long guestAddr;
    final long size;
    final long userAddr;
    final long mmapOffset;
    private final long mapBase;
    private final long mapLength;
    final MemorySegment segment;

    private MemoryRegion(long guestAddr, long size, long userAddr, long mmapOffset, long mapBase, long mapLength) {
        this.guestAddr = guestAddr;
        this.size = size;
        this.userAddr = userAddr;
        this.mmapOffset = mmapOffset;
        this.mapBase = mapBase;
        this.mapLength = mapLength;
        long skip = mmapOffset & (PAGE - 1);
        this.segment = MemorySegment.ofAddress(mapBase + skip).reinterpret(size);
    }

    /**
     * Validates the region description and maps it. The fd stays owned by the caller.
     * The file must really be that long: touching a mapping beyond the end of its file would
     * raise SIGBUS and bring the whole JVM down.
     */
    static MemoryRegion map(long guestAddr, long size, long userAddr, long mmapOffset, int fd) throws IOException {
        if (size <= 0) throw new IOException("memory region of size " + Long.toUnsignedString(size));
        if (mmapOffset < 0 || Long.compareUnsigned(guestAddr, -size) > 0 || Long.compareUnsigned(userAddr, -size) > 0) {
            throw new IOException("memory region wraps around the address space");
        }
        if (mmapOffset > Long.MAX_VALUE - size - PAGE) throw new IOException("memory region offset too large");
        long fileSize = Native.fileSize(fd);
        if (fileSize < mmapOffset + size) {
            throw new IOException("memory region [" + mmapOffset + ", +" + size + ") beyond the end of its file (" + fileSize + ")");
        }
        long pageOff = mmapOffset & ~(PAGE - 1);
        long length = size + (mmapOffset - pageOff);
        long base = Native.mmap(fd, length, pageOff);
        return new MemoryRegion(guestAddr, size, userAddr, mmapOffset, base, length);
    }

    boolean containsGuest(long gpa) { return Long.compareUnsigned(gpa - guestAddr, size) < 0; }

    boolean containsUser(long uva) { return Long.compareUnsigned(uva - userAddr, size) < 0; }

    boolean overlaps(MemoryRegion o) {
        return Long.compareUnsigned(guestAddr, o.guestAddr + o.size - 1) <= 0
                && Long.compareUnsigned(o.guestAddr, guestAddr + size - 1) <= 0;
    }

    boolean sameAs(long gpa, long len, long uva) { return gpa == guestAddr && len == size && uva == userAddr; }

    void unmap() { Native.munmap(mapBase, mapLength); }

    @Override
    public String toString() {
        return String.format("[gpa 0x%x +0x%x uva 0x%x off 0x%x]", guestAddr, size, userAddr, mmapOffset);
    }
}
