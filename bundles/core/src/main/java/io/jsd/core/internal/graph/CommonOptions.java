package io.jsd.core.internal.graph;

import io.jsd.block.ChildRole;
import io.jsd.options.OptionException;
import io.jsd.options.Options;

/**
 * The options every node has, handled by core rather than by the driver (qemu's
 * BlockdevOptionsBase). An inline child inherits read-only, auto-read-only and the cache options
 * from its parent unless it sets them itself, as qemu's bdrv_inherited_options does; the primary
 * child of a format node defaults to discard=unmap because the format node enforces the policy.
 */
record CommonOptions(String driver, String nodeName, boolean discardUnmap, boolean cacheDirect, boolean noFlush,
                     boolean readOnly, boolean autoReadOnly, boolean forceShare, String detectZeroes, boolean active) {

    static final CommonOptions ROOT_DEFAULTS =
            new CommonOptions(null, null, false, false, false, false, false, false, "off", true);

    /** Reads the common options from {@code o}; {@code inherited} gives the defaults (the parent's, for a child). */
    static CommonOptions parse(Options o, CommonOptions inherited, ChildRole role) {
        String driver = o.string("driver");
        String nodeName = o.optString("node-name").orElse(null);
        boolean defaultUnmap = role == ChildRole.PRIMARY || (inherited.discardUnmap && role == ChildRole.FILTERED);
        String discard = o.choice("discard", defaultUnmap ? "unmap" : "ignore", "ignore", "unmap", "on", "off");
        boolean unmap = discard.equals("unmap") || discard.equals("on");
        boolean direct = inherited.cacheDirect;
        boolean noFlush = inherited.noFlush;
        Options cache = o.child("cache");
        if (cache != null) {
            direct = cache.bool("direct", direct);
            noFlush = cache.bool("no-flush", noFlush);
            cache.checkAllUsed();
        }
        boolean ro = o.bool("read-only", role == ChildRole.COW || inherited.readOnly);
        boolean autoRo = o.bool("auto-read-only", inherited.autoReadOnly);
        boolean forceShare = o.bool("force-share", inherited.forceShare); // qemu's bdrv_inherited_options passes it down
        String detect = o.choice("detect-zeroes", "off", "off", "on", "unmap");
        boolean active = o.bool("active", true);
        return new CommonOptions(driver, nodeName, unmap, direct, noFlush, ro, autoRo, forceShare, detect, active);
    }

    /**
     * The checks that combine options. qemu makes them in bdrv_open_common, after the "file" child
     * has been opened, so a bad child reference is reported first; core calls this at the same point.
     */
    void validate() {
        if (detectZeroes.equals("unmap") && !discardUnmap) {
            throw new OptionException("setting detect-zeroes to unmap is not allowed without setting discard operation to unmap");
        }
        if (forceShare && !readOnly) {
            throw new OptionException("force-share=on can only be used with read-only images");
        }
    }

    CommonOptions withReadOnly(boolean ro) {
        return new CommonOptions(driver, nodeName, discardUnmap, cacheDirect, noFlush, ro, autoReadOnly, forceShare, detectZeroes, active);
    }
}
