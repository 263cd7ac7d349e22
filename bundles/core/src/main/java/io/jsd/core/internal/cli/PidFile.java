package io.jsd.core.internal.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import io.jsd.options.OptionException;

/**
 * --pidfile: created, locked (an fcntl lock, as qemu's lockf) and written once the daemon is ready;
 * the lock is held and the file removed when the daemon stops. A second daemon on the same file
 * fails instead of overwriting it.
 */
final class PidFile implements AutoCloseable {
    private final Path path;
    private final FileChannel ch;
    private final FileLock lock;

    private PidFile(Path path, FileChannel ch, FileLock lock) {
        this.path = path;
        this.ch = ch;
        this.lock = lock;
    }

    static PidFile write(String file) {
        Path p = Path.of(file);
        FileChannel ch;
        try {
            ch = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (NoSuchFileException e) {
            throw new OptionException("cannot create PID file: Could not create '" + file + "': No such file or directory");
        } catch (AccessDeniedException e) {
            throw new OptionException("cannot create PID file: Could not create '" + file + "': Permission denied");
        } catch (IOException e) {
            throw new OptionException("cannot create PID file: Could not create '" + file + "': " + e.getMessage());
        }
        try {
            FileLock lock = ch.tryLock();
            if (lock == null) {
                ch.close();
                throw new OptionException("cannot create PID file: Cannot lock pid file: Resource temporarily unavailable");
            }
            ch.truncate(0);
            ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            ch.force(false);
            return new PidFile(p, ch, lock);
        } catch (IOException e) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // Reporting the first error.
            }
            throw new OptionException("cannot create PID file: Failed to write PID file: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        try {
            java.nio.file.Files.deleteIfExists(path);
            lock.release();
            ch.close();
        } catch (IOException e) {
            // Best effort at exit.
        }
    }
}
