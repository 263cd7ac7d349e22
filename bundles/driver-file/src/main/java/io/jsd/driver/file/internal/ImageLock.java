package io.jsd.driver.file.internal;

import io.jsd.block.BlockException;
import io.jsd.block.Permission;
import io.jsd.linux.ErrnoException;

/**
 * qemu's image locking (block/file-posix.c raw_handle_perm_lock, raw_apply_lock_bytes,
 * raw_check_lock_bytes) on one descriptor, so that JSD, QSD, qemu-img and qemu-io see each other.
 *
 * <p>The node's cumulative permissions become open-file-description read locks on single bytes:
 * byte {@code 100 + i} while the node holds permission bit {@code i}, byte {@code 200 + i} while it
 * does not share it. Before it may hold a permission it tests (F_OFD_GETLK for a write lock) that
 * no other descriptor locks byte 200+i, and before it may refuse to share one, that no other
 * descriptor locks byte 100+i. OFD locks belong to the descriptor, not the process, so closing
 * another descriptor of the same file in this process (as two nodes of one daemon do) drops none.
 * A change is two-phase, as qemu's check_perm / set_perm / abort_perm_update: {@link #check} takes
 * the union of the old and new bytes and tests the new ones; {@link #commit} drops what is no longer
 * needed; {@link #abort} goes back to the old bytes.
 */
final class ImageLock {
    private static final String[] NAMES = {"consistent read", "write", "write unchanged", "resize"};
    private static final int PERM_BASE = 100, SHARED_BASE = 200, PERMS = NAMES.length;

    private final int fd;
    private final String filename;
    /** The committed permissions. */
    private int perm = 0, shared = Permission.ALL;
    /** Which bytes this descriptor locks now: bit i of each = byte 100+i, 200+i. */
    private int lockedPerm, lockedShared;

    ImageLock(int fd, String filename) {
        this.fd = fd;
        this.filename = filename;
    }

    /** Takes what {@code newPerm} / {@code newShared} need on top of what is held, and tests it; on error holds what it held. */
    synchronized void check(int newPerm, int newShared) throws BlockException {
        if ((perm | newPerm) == perm && (shared & newShared) == shared) return; // only releasing: commit does it
        try {
            apply(perm | newPerm, ~shared | ~newShared, false);
            checkBytes(fd, newPerm, newShared);
        } catch (BlockException e) {
            if (e.hint() == null && e.getMessage().startsWith("Failed to get")) {
                e.withHint("Is another process using the image [" + filename + "]?");
            }
            abort();
            throw e;
        }
    }

    /** Holds exactly what {@code newPerm} / {@code newShared} need. */
    synchronized void commit(int newPerm, int newShared) {
        try {
            apply(newPerm, ~newShared, true);
        } catch (BlockException e) {
            // only unlocking, which cannot fail on a valid descriptor
        }
        perm = newPerm;
        shared = newShared;
    }

    /** Back to the bytes of the committed permissions. */
    synchronized void abort() {
        try {
            apply(perm, ~shared, true);
        } catch (BlockException e) {
            // only unlocking, which cannot fail on a valid descriptor
        }
    }

    /** raw_apply_lock_bytes: locks the bytes of {@code permBits} / {@code unsharedBits} not yet locked, and with {@code unlock} unlocks the others. */
    private void apply(int permBits, int unsharedBits, boolean unlock) throws BlockException {
        for (int i = 0; i < PERMS; i++) {
            int bit = 1 << i;
            if ((permBits & bit) != 0 && (lockedPerm & bit) == 0) {
                lock(PERM_BASE + i, Posix.F_RDLCK);
                lockedPerm |= bit;
            } else if (unlock && (lockedPerm & bit) != 0 && (permBits & bit) == 0) {
                lock(PERM_BASE + i, Posix.F_UNLCK);
                lockedPerm &= ~bit;
            }
        }
        for (int i = 0; i < PERMS; i++) {
            int bit = 1 << i;
            if ((unsharedBits & bit) != 0 && (lockedShared & bit) == 0) {
                lock(SHARED_BASE + i, Posix.F_RDLCK);
                lockedShared |= bit;
            } else if (unlock && (lockedShared & bit) != 0 && (unsharedBits & bit) == 0) {
                lock(SHARED_BASE + i, Posix.F_UNLCK);
                lockedShared &= ~bit;
            }
        }
    }

    private void lock(int offset, short type) throws BlockException {
        try {
            Posix.ofdLock(fd, offset, type);
        } catch (ErrnoException e) {
            String what = type == Posix.F_UNLCK ? "Failed to unlock byte " : "Failed to lock byte ";
            throw BlockException.io(what + offset + (e.errno == Posix.EAGAIN ? "" : ": " + e.getMessage()), e);
        }
    }

    /**
     * raw_check_lock_bytes: fails when another descriptor refuses to share a permission in
     * {@code perm}, or holds one that {@code shared} leaves out. Also used by blockdev-create.
     */
    static void checkBytes(int fd, int perm, int shared) throws BlockException {
        for (int i = 0; i < PERMS; i++) {
            if ((perm & (1 << i)) != 0 && conflicts(fd, SHARED_BASE + i)) {
                throw new BlockException(BlockException.Kind.BUSY, "Failed to get \"" + NAMES[i] + "\" lock");
            }
        }
        for (int i = 0; i < PERMS; i++) {
            if ((shared & (1 << i)) == 0 && conflicts(fd, PERM_BASE + i)) {
                throw new BlockException(BlockException.Kind.BUSY, "Failed to get shared \"" + NAMES[i] + "\" lock");
            }
        }
    }

    private static boolean conflicts(int fd, int offset) throws BlockException {
        try {
            return Posix.ofdConflicts(fd, offset, Posix.F_WRLCK);
        } catch (ErrnoException e) {
            throw BlockException.io("Failed to test byte " + offset + ": " + e.getMessage(), e);
        }
    }

    /** Whether open-file-description locks work on {@code fd} (qemu's qemu_has_ofd_lock, for locking=auto). */
    static boolean ofdLocksWork(int fd) {
        try {
            Posix.ofdConflicts(fd, PERM_BASE, Posix.F_WRLCK);
            return true;
        } catch (ErrnoException e) {
            return false;
        }
    }
}
