package io.jsd.core.internal.cli;

/** One option as given, in order: its name as written in messages ("--blockdev", "-T") and its argument. */
record CliOption(String name, String arg) {
    /** "--blockdev ARG" as qemu prints it before a message. */
    String label() { return arg == null ? name : name.isEmpty() ? arg : name + " " + arg; }
}
