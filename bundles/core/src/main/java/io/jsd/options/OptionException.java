package io.jsd.options;

/** A bad option or argument; the message is the one qemu prints (e.g. "Parameter 'size' is missing"). */
public class OptionException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public OptionException(String message) { super(message); }
}
