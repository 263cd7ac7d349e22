package io.jsd.export.vhost.internal;

/** What the front-end has told us about one vring, kept across stops and restarts of its thread. */
final class VringState {
    final int index;
    int num;
    long descUser, availUser, usedUser;
    boolean addrSet;
    int base;
    int kickFd = -1, callFd = -1, errFd = -1;
    boolean enabled;
    SplitVirtqueue vq;
    QueueWorker worker;

    VringState(int index) { this.index = index; }

    boolean running() { return worker != null; }

    boolean startable() { return worker == null && kickFd >= 0 && addrSet && num > 0; }

    /** Forgets everything (RESET_OWNER / RESET_DEVICE / disconnect); the ring must be stopped. */
    void reset() {
        Native.close(kickFd);
        Native.close(callFd);
        Native.close(errFd);
        kickFd = callFd = errFd = -1;
        num = 0;
        base = 0;
        addrSet = false;
        enabled = false;
    }
}
