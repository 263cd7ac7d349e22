package io.jsd.driver.file.internal;

import io.jsd.block.BlockException;
import java.io.IOException;

/**
 * qemu's page_cache_inconsistent (file-posix.c, handle_aiocb_flush): once fdatasync has failed, the
 * kernel may already have marked the dirty pages clean without writing them, so a later fdatasync
 * would succeed although the data is not on disk. The node cannot tell what is on disk any more,
 * so every later flush fails with the first error. O_DIRECT bypasses the page cache and does not
 * latch.
 */
final class FlushLatch {
    /** The system call that makes written data stable (fdatasync). */
    interface Sync {
        void run() throws IOException;
    }

    private final String filename;
    private final boolean direct;
    private volatile BlockException failed;

    FlushLatch(String filename, boolean direct) {
        this.filename = filename;
        this.direct = direct;
    }

    void flush(Sync sync) throws BlockException {
        BlockException f = failed;
        if (f != null) throw new BlockException(f.kind(), f.getMessage(), f.getCause());
        try {
            sync.run();
        } catch (IOException e) {
            String msg = String.valueOf(e.getMessage());
            BlockException.Kind kind = msg.contains("No space left") ? BlockException.Kind.NO_SPACE : BlockException.Kind.IO;
            BlockException be = new BlockException(kind, "flush failed on '" + filename + "': " + msg, e);
            if (!direct) failed = be;
            throw be;
        }
    }

    /** Whether an earlier fdatasync failed (the node then fails every flush). */
    boolean latched() { return failed != null; }
}
