package io.jsd.linux;

/** The fields of struct stat that JSD reads: st_mode, st_size and st_blocks (512-byte units). */
public record Stat(int mode, long size, long blocks) {
    public boolean isBlockDevice() { return (mode & 0170000) == 0060000; }

    public boolean isCharDevice() { return (mode & 0170000) == 0020000; }
}
