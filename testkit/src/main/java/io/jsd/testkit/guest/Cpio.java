package io.jsd.testkit.guest;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

/**
 * Writes an uncompressed newc cpio archive, the format the kernel unpacks as an initramfs. Parent
 * directories of an entry are added first (once), so "lib/x86_64-linux-gnu/libc.so.6" just works.
 */
public final class Cpio {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final Set<String> dirs = new HashSet<>();
    private int ino = 1;

    public Cpio dir(String name) {
        parents(name);
        if (dirs.add(name)) entry(name, 040755, new byte[0], 0, 0);
        return this;
    }

    public Cpio file(String name, int mode, byte[] data) {
        parents(name);
        return entry(name, 0100000 | mode, data, 0, 0);
    }

    public Cpio charDev(String name, int major, int minor) {
        parents(name);
        return entry(name, 020600, new byte[0], major, minor);
    }

    private void parents(String name) {
        int slash = name.lastIndexOf('/');
        if (slash > 0) dir(name.substring(0, slash));
    }

    private Cpio entry(String name, int mode, byte[] data, int rmajor, int rminor) {
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        String hdr = String.format("070701%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x",
                ino++, mode, 0, 0, 1, 0, data.length, 0, 0, rmajor, rminor, n.length + 1, 0);
        out.writeBytes(hdr.getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(n);
        out.write(0);
        pad();
        out.writeBytes(data);
        pad();
        return this;
    }

    private void pad() {
        while (out.size() % 4 != 0) out.write(0);
    }

    public byte[] finish() {
        entry("TRAILER!!!", 0, new byte[0], 0, 0);
        return out.toByteArray();
    }
}
