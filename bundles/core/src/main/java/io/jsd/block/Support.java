package io.jsd.block;

/** How a node supports an operation: core emulates EMULATED ones on top of the driver (nbdkit's model). */
public enum Support {
    NONE, EMULATED, NATIVE;

    public boolean available() { return this != NONE; }
}
