package io.jsd.plugins.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Objects;

/**
 * What the watcher compares to see a jar change: size, modification time and file key (inode), so
 * an in-place rewrite, a {@code touch} and a rename over the old name are all seen.
 */
record Fingerprint(long size, FileTime modified, Object fileKey) {
    /** The file's fingerprint, or null if it is gone (or is not a regular file). */
    static Fingerprint of(Path file) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            if (!a.isRegularFile()) return null;
            return new Fingerprint(a.size(), a.lastModifiedTime(), a.fileKey());
        } catch (IOException e) {
            return null;
        }
    }

    static boolean same(Fingerprint a, Fingerprint b) { return Objects.equals(a, b); }

}
