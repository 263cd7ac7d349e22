package io.jsd.block;

import java.nio.ByteBuffer;
import java.util.List;

import org.osgi.annotation.versioning.ConsumerType;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An open block node: what a driver returns from {@link BlockDriver#open} and what exports and
 * parent drivers do I/O on.
 *
 * <p>Calls are plain blocking calls made from virtual threads, many at once: implementations must be
 * thread-safe. A driver may go asynchronous underneath and park the calling thread.
 *
 * <p>What core guarantees before a call reaches a driver's node: {@code offset} and lengths are
 * inside {@code [0, size())} and multiples of {@link BlockLimits#requestAlignment()} (except that a
 * request may end at the node's size when that is not aligned, and core rounds sizes up to 512
 * bytes as qemu does, so a read of that tail may reach past the end of a file); no request is
 * longer than the matching limit; writes, write-zeroes, discard and truncate only arrive when the
 * node was opened writable; write-zeroes only when {@link Capabilities#writeZeroes()} is NATIVE
 * (otherwise core writes zeroes); {@link IoFlags#FUA} only when {@link Capabilities#fua()} is
 * NATIVE (otherwise core flushes after the write). Buffers are owned by the caller and must not be
 * kept after the call returns; their position advances by the bytes transferred.
 */
@ConsumerType
public interface BlockNode extends AutoCloseable {

    /** Current size in bytes. */
    long size() throws BlockException;

    /** Reads exactly {@code dst.remaining()} bytes at {@code offset}; holes read as zeroes. */
    void read(long offset, ByteBuffer dst) throws BlockException;

    /** Scatter read: fills each buffer in turn, starting at {@code offset}. */
    default void read(long offset, ByteBuffer[] dsts) throws BlockException {
        long pos = offset;
        for (ByteBuffer b : dsts) {
            int n = b.remaining();
            read(pos, b);
            pos += n;
        }
    }

    /** Writes all of {@code src.remaining()} bytes at {@code offset}. */
    void write(long offset, ByteBuffer src, int flags) throws BlockException;

    /** Gather write: writes each buffer in turn, starting at {@code offset}. */
    default void write(long offset, ByteBuffer[] srcs, int flags) throws BlockException {
        long pos = offset;
        for (int i = 0; i < srcs.length; i++) {
            int n = srcs[i].remaining();
            write(pos, srcs[i], i == srcs.length - 1 ? flags : flags & ~IoFlags.FUA);
            pos += n;
        }
    }

    /**
     * Makes the range read as zeroes; may deallocate when {@link IoFlags#MAY_UNMAP} is set. A driver
     * whose fast path does not apply to this range throws {@link BlockException.Kind#UNSUPPORTED}
     * and core writes zeroes instead (unless {@link IoFlags#FAST_ZERO} was asked for).
     */
    default void writeZeroes(long offset, long length, int flags) throws BlockException {
        throw BlockException.unsupported("write-zeroes is not supported");
    }

    /** Hints that the range is no longer needed. Content afterwards is unspecified unless the driver says so. */
    default void discard(long offset, long length) throws BlockException {}

    /** Makes every completed write stable. */
    default void flush() throws BlockException {}

    /** Changes the size; new space reads as zeroes. */
    default void truncate(long newSize) throws BlockException {
        throw BlockException.unsupported("this node cannot be resized");
    }

    /**
     * Allocation of the range starting at {@code offset}: one extent that begins at {@code offset}
     * and covers at most {@code length} bytes. The default says everything is allocated data.
     */
    default BlockStatus blockStatus(long offset, long length) throws BlockException {
        return BlockStatus.data(offset, length);
    }

    /** What the driver implements natively; asked once per open. */
    Capabilities capabilities();

    /** Alignment and transfer limits; asked once per open. */
    default BlockLimits limits() { return BlockLimits.DEFAULT; }

    /** The children this node uses, for the graph and for walks such as allocation depth. */
    default List<NodeChild> children() { return List.of(); }

    /**
     * Driver-specific facts for query-named-block-nodes (qemu's "image" fields such as
     * "format-specific"); fill {@code info}, which already holds the common fields.
     */
    default void describe(ObjectNode info) {}

    /**
     * Whether the option {@code key} (a top-level key of the node's options, children and common
     * options aside) changes what the image is, so that a json: filename must keep it (qemu's
     * strong_runtime_opts). Every option is, unless the driver says otherwise.
     */
    default boolean strongOption(String key) { return true; }

    /**
     * First phase of a permission change: the node's users now hold {@code perm} and share
     * {@code shared} in total (bits of {@link Permission}). A protocol driver takes the OS-level
     * locks this needs (keeping what it held) and throws if another process holds what it must not
     * share, or refuses to share what it needs; nothing else may change yet. Core then calls
     * exactly one of {@link #setPermissions} (commit) or {@link #abortPermissions} (undo). A node
     * starts with no users: nothing held, everything shared.
     */
    default void checkPermissions(int perm, int shared) throws BlockException {}

    /** Commits the last {@link #checkPermissions}: releases what the new permissions no longer need. */
    default void setPermissions(int perm, int shared) {}

    /** Undoes the last {@link #checkPermissions}: back to the permissions last committed. */
    default void abortPermissions() {}

    /** Flushes and releases everything. Called once, after all requests have finished. */
    @Override
    default void close() throws BlockException {}
}
