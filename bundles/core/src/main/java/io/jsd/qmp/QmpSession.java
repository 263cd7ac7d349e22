package io.jsd.qmp;

import org.osgi.annotation.versioning.ProviderType;

/** The monitor connection a command runs for (the command line has one too). */
@ProviderType
public interface QmpSession {
    /** True for the pseudo-session that runs --blockdev / --export / ... options at start-up. */
    boolean commandLine();

    /** Passes a file descriptor received with this command (SCM_RIGHTS on a unix socket), or -1. */
    default int takeReceivedFd() { return -1; }
}
