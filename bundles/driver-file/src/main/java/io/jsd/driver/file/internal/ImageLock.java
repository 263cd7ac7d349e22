package io.jsd.driver.file.internal;

import io.jsd.block.BlockException;
import io.jsd.linux.ErrnoException;

/**
 * qemu-compatible image locking (block/file-posix.c raw_apply_lock_bytes / raw_check_lock_bytes).
 *
 * <p>qemu expresses who may do what with a file through OFD read locks on single bytes: byte
 * {@code 100 + i} while it holds permission {@code i}, byte {@code 200 + i} while it refuses to
 * share permission {@code i}. Before taking a permission it tests (F_OFD_GETLK for a write lock)
 * whether anyone else refuses to share it (byte 200+i), and before refusing to share one, whether
 * anyone else holds it (byte 100+i). Using the same bytes makes JSD and qemu tools see each other.
 */
final class ImageLock {
    static final int CONSISTENT_READ = 1, WRITE = 2, WRITE_UNCHANGED = 4, RESIZE = 8;
    private static final String[] NAMES = {"consistent read", "write", "write unchanged", "resize"};
    private static final int PERM_BASE = 100, SHARED_BASE = 200, PERMS = 4;

    private ImageLock() {}

    /**
     * Takes {@code perms} and refuses to share {@code unshared} on {@code fd}, or throws qemu's
     * "Failed to get ... lock" error and takes nothing.
     */
    static void acquire(int fd, int perms, int unshared) throws BlockException {
        try {
            for (int i = 0; i < PERMS; i++) {
                if ((perms & (1 << i)) != 0) Posix.ofdLock(fd, PERM_BASE + i, Posix.F_RDLCK);
                if ((unshared & (1 << i)) != 0) Posix.ofdLock(fd, SHARED_BASE + i, Posix.F_RDLCK);
            }
            for (int i = 0; i < PERMS; i++) {
                if ((perms & (1 << i)) != 0 && Posix.ofdConflicts(fd, SHARED_BASE + i, Posix.F_WRLCK)) {
                    release(fd);
                    throw new BlockException(BlockException.Kind.BUSY, "Failed to get \"" + NAMES[i] + "\" lock");
                }
                if ((unshared & (1 << i)) != 0 && Posix.ofdConflicts(fd, PERM_BASE + i, Posix.F_WRLCK)) {
                    release(fd);
                    throw new BlockException(BlockException.Kind.BUSY, "Failed to get shared \"" + NAMES[i] + "\" lock");
                }
            }
        } catch (ErrnoException e) {
            release(fd);
            throw BlockException.io("Failed to lock byte range: " + e.getMessage(), e);
        }
    }

    /** Drops every lock byte this fd holds. */
    static void release(int fd) {
        for (int i = 0; i < PERMS; i++) {
            try {
                Posix.ofdLock(fd, PERM_BASE + i, Posix.F_UNLCK);
                Posix.ofdLock(fd, SHARED_BASE + i, Posix.F_UNLCK);
            } catch (ErrnoException e) {
                // closing the fd releases them anyway
            }
        }
    }
}
