package io.jsd.plugins.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarInputStream;
import java.util.jar.Manifest;

/**
 * A jar read into memory once and checked: a complete zip whose manifest names a bundle. Installing
 * or updating from these bytes (not from the file) means the framework keeps its own copy, so a
 * file replaced or half-written later can never reach a running bundle.
 */
record JarSnapshot(Path file, byte[] bytes, String symbolicName, String version) {
    /** Jars are small; anything bigger is not a plugin we should hold in memory. */
    static final long MAX_BYTES = 256L << 20;

    static JarSnapshot read(Path file) throws IOException {
        long size = Files.size(file);
        if (size > MAX_BYTES) throw new IOException(file + " is larger than " + (MAX_BYTES >> 20) + " MiB");
        byte[] bytes = Files.readAllBytes(file);
        Manifest mf;
        try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(bytes))) {
            mf = in.getManifest();
            // walk every entry: a truncated jar fails here rather than inside the framework
            while (in.getNextJarEntry() != null) {
                in.transferTo(OutputStream.nullOutputStream());
            }
            if (!hasEndOfCentralDirectory(bytes)) throw new IOException("no end of central directory (still being written?)");
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + " is not a complete jar: " + e.getMessage(), e);
        }
        if (mf == null) throw new IOException(file + " has no META-INF/MANIFEST.MF");
        String bsn = mf.getMainAttributes().getValue("Bundle-SymbolicName");
        if (bsn == null) throw new IOException(file + " is not an OSGi bundle (no Bundle-SymbolicName)");
        int semi = bsn.indexOf(';');
        if (semi >= 0) bsn = bsn.substring(0, semi);
        String version = mf.getMainAttributes().getValue("Bundle-Version");
        return new JarSnapshot(file, bytes, bsn.strip(), version == null ? "0.0.0" : version.strip());
    }

    InputStream stream() { return new ByteArrayInputStream(bytes); }

    /** A zip ends with an end-of-central-directory record (signature PK\5\6) in its last 64 KiB + 22 bytes. */
    static boolean hasEndOfCentralDirectory(byte[] b) {
        int stop = Math.max(0, b.length - 22 - 65535);
        for (int i = b.length - 22; i >= stop; i--) {
            if (b[i] == 'P' && b[i + 1] == 'K' && b[i + 2] == 5 && b[i + 3] == 6) return true;
        }
        return false;
    }
}
