package io.jsd.core.internal.jobs;

/** qemu's JobStatus, in the order of job.c's tables. */
enum JobStatus {
    UNDEFINED, CREATED, RUNNING, PAUSED, READY, STANDBY, WAITING, PENDING, ABORTING, CONCLUDED, NULL;

    /** JobStatusTransition from qemu's job.c: row = from, column = to. */
    private static final int[][] TRANSITIONS = {
        /* U */ {0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0},
        /* C */ {0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1},
        /* R */ {0, 0, 0, 1, 1, 0, 1, 0, 1, 0, 0},
        /* P */ {0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0},
        /* Y */ {0, 0, 0, 0, 0, 1, 1, 0, 1, 0, 0},
        /* S */ {0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0},
        /* W */ {0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0},
        /* D */ {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0},
        /* X */ {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0},
        /* E */ {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
        /* N */ {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
    };

    boolean canMoveTo(JobStatus to) { return TRANSITIONS[ordinal()][to.ordinal()] != 0; }

    String qapiName() { return name().toLowerCase(java.util.Locale.ROOT); }
}
