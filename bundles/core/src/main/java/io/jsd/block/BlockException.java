package io.jsd.block;

import java.io.IOException;

/**
 * The one error type of the block layer. Each front end maps {@link Kind} once:
 * QMP to GenericError with {@link #getMessage()}, NBD and virtio to an errno / status.
 */
public class BlockException extends IOException {
    private static final long serialVersionUID = 1L;

    public enum Kind {
        INVALID_ARGUMENT(22), NOT_FOUND(2), BUSY(16), UNSUPPORTED(95), IO(5), NO_SPACE(28),
        PERMISSION(1), READ_ONLY(30), OUT_OF_RANGE(22);

        /** The Linux errno this kind maps to. */
        public final int errno;

        Kind(int errno) { this.errno = errno; }
    }

    private final Kind kind;
    private String hint;

    public BlockException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public BlockException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() { return kind; }

    /**
     * Advice for a person, shown after the message on the command line and left out of QMP
     * replies (e.g. which image another process may be using), or null.
     */
    public String hint() { return hint; }

    /** Sets {@link #hint()}; returns this exception. */
    public BlockException withHint(String hint) {
        this.hint = hint;
        return this;
    }

    public static BlockException io(String message, Throwable cause) { return new BlockException(Kind.IO, message, cause); }
    public static BlockException invalid(String message) { return new BlockException(Kind.INVALID_ARGUMENT, message); }
    public static BlockException unsupported(String message) { return new BlockException(Kind.UNSUPPORTED, message); }
}
