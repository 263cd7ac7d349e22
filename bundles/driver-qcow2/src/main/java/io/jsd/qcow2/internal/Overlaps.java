package io.jsd.qcow2.internal;

import java.util.concurrent.ConcurrentHashMap;

import io.jsd.options.Options;

/**
 * qemu's metadata overlap checks (qcow2_check_metadata_overlap): which host clusters hold which
 * kind of metadata, so that a write about to land on metadata of another kind is refused and the
 * image marked corrupt. The kinds checked are set by the {@code overlap-check} option (none,
 * constant, cached — the default —, all, or a template with one switch per kind). As in qemu the
 * header is the whole first cluster and every other range is widened to whole clusters.
 */
final class Overlaps {
    static final int MAIN_HEADER = 1, ACTIVE_L1 = 1 << 1, ACTIVE_L2 = 1 << 2, REFCOUNT_TABLE = 1 << 3,
            REFCOUNT_BLOCK = 1 << 4, SNAPSHOT_TABLE = 1 << 5, INACTIVE_L1 = 1 << 6, INACTIVE_L2 = 1 << 7,
            BITMAP_DIRECTORY = 1 << 8;
    static final int CONSTANT = MAIN_HEADER | ACTIVE_L1 | REFCOUNT_TABLE | SNAPSHOT_TABLE | INACTIVE_L1 | BITMAP_DIRECTORY;
    static final int CACHED = CONSTANT | ACTIVE_L2 | REFCOUNT_BLOCK;
    static final int ALL = CACHED | INACTIVE_L2;

    /** qemu's metadata_ol_names, by bit number. */
    private static final String[] NAMES = {"qcow2_header", "active L1 table", "active L2 table", "refcount table",
        "refcount block", "snapshot table", "inactive L1 table", "inactive L2 table", "bitmap directory"};
    /** The option keys of Qcow2OverlapCheckFlags, by bit number. */
    private static final String[] KEYS = {"main-header", "active-l1", "active-l2", "refcount-table",
        "refcount-block", "snapshot-table", "inactive-l1", "inactive-l2", "bitmap-directory"};
    /** The order in which qcow2_check_metadata_overlap tries the kinds (the first hit is reported). */
    private static final int[] ORDER = {MAIN_HEADER, ACTIVE_L1, REFCOUNT_TABLE, SNAPSHOT_TABLE, INACTIVE_L1,
        ACTIVE_L2, REFCOUNT_BLOCK, INACTIVE_L2, BITMAP_DIRECTORY};

    private final int clusterBits;
    /** The kinds checked. */
    final int enabled;
    private final ConcurrentHashMap<Long, Integer> kinds = new ConcurrentHashMap<>();

    Overlaps(int clusterBits, int enabled) {
        this.clusterBits = clusterBits;
        this.enabled = enabled;
    }

    /** The kinds to check from the {@code overlap-check} option (a mode name or a template with switches). */
    static int parse(Options o) {
        if (!o.has("overlap-check")) return CACHED;
        if (o.json().get("overlap-check").isTextual()) {
            return mode(o.choice("overlap-check", "cached", "none", "constant", "cached", "all"));
        }
        Options f = o.child("overlap-check");
        int mask = mode(f.choice("template", "cached", "none", "constant", "cached", "all"));
        for (int bit = 0; bit < KEYS.length; bit++) {
            if (f.has(KEYS[bit])) mask = f.bool(KEYS[bit], false) ? mask | 1 << bit : mask & ~(1 << bit);
        }
        f.checkAllUsed();
        return mask;
    }

    private static int mode(String m) {
        return switch (m) {
            case "none" -> 0;
            case "constant" -> CONSTANT;
            case "all" -> ALL;
            default -> CACHED;
        };
    }

    void add(long cluster, int kind) { kinds.merge(cluster, kind, (a, b) -> a | b); }

    void addRange(long offset, long bytes, int kind) {
        if (bytes <= 0) return;
        for (long c = offset >>> clusterBits; c <= (offset + bytes - 1) >>> clusterBits; c++) add(c, kind);
    }

    /** The cluster holds no metadata any more (it was freed). */
    void remove(long cluster) { kinds.remove(cluster); }

    /**
     * The kind of checked metadata that a write of [offset, offset + len) would overwrite, except
     * the kinds in {@code ignore} (the kind being written), or 0.
     */
    int check(int ignore, long offset, long len) {
        int chk = enabled & ~ignore;
        if (len <= 0 || chk == 0) return 0;
        if ((chk & MAIN_HEADER) != 0 && offset < (1L << clusterBits)) return MAIN_HEADER;
        int found = 0;
        for (long c = offset >>> clusterBits; c <= (offset + len - 1) >>> clusterBits; c++) {
            Integer k = kinds.get(c);
            if (k != null) found |= k & chk;
        }
        for (int kind : ORDER) if ((found & kind) != 0) return kind;
        return 0;
    }

    static String name(int kind) { return NAMES[Integer.numberOfTrailingZeros(kind)]; }
}
