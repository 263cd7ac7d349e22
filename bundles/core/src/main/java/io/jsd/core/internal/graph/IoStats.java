package io.jsd.core.internal.graph;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.atomic.LongAdder;

/** Per-node I/O counters, in the shape of qemu's BlockDeviceStats (for query-blockstats). */
final class IoStats {
    final LongAdder rdBytes = new LongAdder(), wrBytes = new LongAdder(), unmapBytes = new LongAdder();
    final LongAdder rdOps = new LongAdder(), wrOps = new LongAdder(), flushOps = new LongAdder(),
            unmapOps = new LongAdder(), zeroOps = new LongAdder();
    /** End of the furthest write so far (qemu's wr_highest_offset). */
    final java.util.concurrent.atomic.AtomicLong wrHighest = new java.util.concurrent.atomic.AtomicLong();
    final LongAdder failedRd = new LongAdder(), failedWr = new LongAdder(), failedFlush = new LongAdder(),
            failedUnmap = new LongAdder();

    /** Counts one write (data or zeroes) of {@code len} bytes at {@code offset}. */
    void wrote(long offset, long len) {
        wrOps.increment();
        wrBytes.add(len);
        wrHighest.accumulateAndGet(offset + len, Math::max);
    }

    ObjectNode describe() {
        ObjectNode s = JsonNodeFactory.instance.objectNode();
        s.put("rd_bytes", rdBytes.sum());
        s.put("wr_bytes", wrBytes.sum());
        s.put("unmap_bytes", unmapBytes.sum());
        s.put("rd_operations", rdOps.sum());
        s.put("wr_operations", wrOps.sum());
        s.put("flush_operations", flushOps.sum());
        s.put("unmap_operations", unmapOps.sum());
        s.put("failed_rd_operations", failedRd.sum());
        s.put("failed_wr_operations", failedWr.sum());
        s.put("failed_flush_operations", failedFlush.sum());
        s.put("failed_unmap_operations", failedUnmap.sum());
        s.put("invalid_rd_operations", 0);
        s.put("invalid_wr_operations", 0);
        s.put("invalid_flush_operations", 0);
        s.put("invalid_unmap_operations", 0);
        s.put("rd_merged", 0);
        s.put("wr_merged", 0);
        s.put("unmap_merged", 0);
        s.put("rd_total_time_ns", 0);
        s.put("wr_total_time_ns", 0);
        s.put("flush_total_time_ns", 0);
        s.put("unmap_total_time_ns", 0);
        s.put("wr_highest_offset", wrHighest.get());
        s.put("zone_append_operations", 0);
        s.put("zone_append_bytes", 0);
        s.put("zone_append_merged", 0);
        s.put("zone_append_total_time_ns", 0);
        s.put("failed_zone_append_operations", 0);
        s.put("invalid_zone_append_operations", 0);
        s.put("account_invalid", false);
        s.put("account_failed", false);
        s.putArray("timed_stats");
        return s;
    }
}
