package io.jsd.core.internal.jobs;

/** qemu's JobVerb with JobVerbTable from job.c: which statuses accept the verb. */
enum JobVerb {
    //                U  C  R  P  Y  S  W  D  X  E  N
    CANCEL(new int[] {0, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0}),
    PAUSE(new int[] {0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0}),
    RESUME(new int[] {0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0}),
    SET_SPEED(new int[] {0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0}),
    COMPLETE(new int[] {0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0}),
    FINALIZE(new int[] {0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0}),
    DISMISS(new int[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0}),
    CHANGE(new int[] {0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0});

    private final int[] allowed;

    JobVerb(int[] allowed) { this.allowed = allowed; }

    boolean allowedIn(JobStatus s) { return allowed[s.ordinal()] != 0; }

    String qapiName() { return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'); }
}
