package io.jsd.linux;

/** A failed libc call: its errno, with the C library's text for it as the message. */
public final class ErrnoException extends Exception {
    private static final long serialVersionUID = 1L;
    public final int errno;

    public ErrnoException(int errno) {
        super(Libc.strerror(errno));
        this.errno = errno;
    }
}
