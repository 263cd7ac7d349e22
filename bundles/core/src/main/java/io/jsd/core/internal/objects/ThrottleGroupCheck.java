package io.jsd.core.internal.objects;

import io.jsd.options.OptionException;
import io.jsd.options.Options;

/**
 * throttle-group properties as qemu checks them: each x-* value when it is set
 * (block/throttle-groups.c), the {@code limits} struct when it is set, then the whole configuration
 * with util/throttle.c's throttle_is_valid when the object is completed, with qemu's messages.
 */
final class ThrottleGroupCheck {
    /** qemu's THROTTLE_VALUE_MAX. */
    static final long VALUE_MAX = 1_000_000_000_000_000L;
    private static final long UINT_MAX = 0xFFFFFFFFL;
    /** In qemu's BucketType order: the order throttle_is_valid checks them in. */
    private static final String[] BUCKETS = {"bps-total", "bps-read", "bps-write", "iops-total", "iops-read", "iops-write"};
    private static final int BPS_TOTAL = 0, BPS_READ = 1, BPS_WRITE = 2, OPS_TOTAL = 3, OPS_READ = 4, OPS_WRITE = 5;

    private final long[] avg = new long[6];
    private final long[] max = new long[6];
    private final long[] burst = {1, 1, 1, 1, 1, 1};
    private long opSize;

    private ThrottleGroupCheck() {}

    static void apply(Options o) {
        ThrottleGroupCheck c = new ThrottleGroupCheck();
        for (int i = 0; i < BUCKETS.length; i++) {
            c.avg[i] = c.property(o, "x-" + BUCKETS[i], c.avg[i]);
            c.max[i] = c.property(o, "x-" + BUCKETS[i] + "-max", c.max[i]);
            long len = c.property(o, "x-" + BUCKETS[i] + "-max-length", c.burst[i]);
            if (len > UINT_MAX) {
                // sic: qemu's message lacks the space
                throw new OptionException("x-" + BUCKETS[i] + "-max-length value must be in therange [0, " + UINT_MAX + "]");
            }
            c.burst[i] = len;
        }
        c.opSize = c.property(o, "x-iops-size", c.opSize);
        Options limits = o.child("limits");
        if (limits != null) c.limits(limits);
        c.validate();
    }

    private long property(Options o, String key, long def) {
        long v = o.integer(key, def);
        if (v < 0) throw new OptionException("Property values cannot be negative");
        return v;
    }

    /** ThrottleLimits: throttle_limits_to_config (no sign check there; throttle_is_valid catches it). */
    private void limits(Options l) {
        for (int i = 0; i < BUCKETS.length; i++) {
            avg[i] = l.integer(BUCKETS[i], avg[i]);
            max[i] = l.integer(BUCKETS[i] + "-max", max[i]);
            String lenKey = BUCKETS[i] + "-max-length";
            if (l.has(lenKey)) {
                long len = l.integer(lenKey);
                if (len < 0 || len > UINT_MAX) throw new OptionException(lenKey + " value must be in the range [0, " + UINT_MAX + "]");
                burst[i] = len;
            }
        }
        opSize = l.integer("iops-size", opSize);
        l.checkAllUsed();
    }

    private void validate() {
        boolean bps = avg[BPS_TOTAL] != 0 && (avg[BPS_READ] != 0 || avg[BPS_WRITE] != 0);
        boolean ops = avg[OPS_TOTAL] != 0 && (avg[OPS_READ] != 0 || avg[OPS_WRITE] != 0);
        boolean bpsMax = max[BPS_TOTAL] != 0 && (max[BPS_READ] != 0 || max[BPS_WRITE] != 0);
        boolean opsMax = max[OPS_TOTAL] != 0 && (max[OPS_READ] != 0 || max[OPS_WRITE] != 0);
        if (bps || ops || bpsMax || opsMax) {
            throw new OptionException("bps/iops/max total values and read/write values cannot be used at the same time");
        }
        if (opSize != 0 && avg[OPS_TOTAL] == 0 && avg[OPS_READ] == 0 && avg[OPS_WRITE] == 0) {
            throw new OptionException("iops size requires an iops value to be set");
        }
        for (int i = 0; i < BUCKETS.length; i++) {
            if (avg[i] < 0 || max[i] < 0 || avg[i] > VALUE_MAX || max[i] > VALUE_MAX) {
                throw new OptionException("bps/iops/max values must be within [0, " + VALUE_MAX + "]");
            }
            if (burst[i] == 0) throw new OptionException("the burst length cannot be 0");
            if (burst[i] > 1 && max[i] == 0) throw new OptionException("burst length set without burst rate");
            if (max[i] != 0 && avg[i] == 0) throw new OptionException("bps_max/iops_max require corresponding bps/iops values");
            if (max[i] != 0 && max[i] < avg[i]) throw new OptionException("bps_max/iops_max cannot be lower than bps/iops");
        }
    }
}
