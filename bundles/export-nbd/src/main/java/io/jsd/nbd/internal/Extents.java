package io.jsd.nbd.internal;

import java.util.List;

import io.jsd.block.BlockException;
import io.jsd.block.BlockNode;
import io.jsd.block.BlockStatus;
import io.jsd.block.ChildRole;
import io.jsd.block.NodeChild;
import io.jsd.block.NodeHandle;

/**
 * Block status for the two metadata contexts: runs of (length, flags), adjacent runs with equal
 * flags merged, as NBD_CMD_BLOCK_STATUS sends them.
 */
final class Extents {
    long[] lengths = new long[16];
    int[] flags = new int[16];
    int count;

    private void add(long len, int f) {
        if (count > 0 && flags[count - 1] == f) {
            lengths[count - 1] += len;
            return;
        }
        if (count == lengths.length) {
            lengths = java.util.Arrays.copyOf(lengths, count * 2);
            flags = java.util.Arrays.copyOf(flags, count * 2);
        }
        lengths[count] = len;
        flags[count] = f;
        count++;
    }

    /** base:allocation: NBD_STATE_HOLE where there is no data, NBD_STATE_ZERO where it reads as zeroes. */
    static Extents allocation(BlockNode io, long offset, long length, int maxExtents) throws BlockException {
        Extents e = new Extents();
        long pos = offset;
        long end = offset + length;
        while (pos < end) {
            BlockStatus st = io.blockStatus(pos, end - pos);
            long n = Math.max(1, Math.min(st.length(), end - pos));
            int f = (st.isData() ? 0 : Nbd.STATE_HOLE) | (st.isZero() ? Nbd.STATE_ZERO : 0);
            if (e.count == maxExtents && e.flags[e.count - 1] != f) break;
            e.add(n, f);
            pos += n;
        }
        return e;
    }

    /**
     * qemu:allocation-depth: 0 where no layer allocates the range, 1 where the exported node does,
     * N where the (N-1)th backing node does. Filters are looked through without counting.
     */
    static Extents depth(NodeHandle node, long offset, long length, int maxExtents) throws BlockException {
        Extents e = new Extents();
        long pos = offset;
        long end = offset + length;
        while (pos < end) {
            long[] run = depthAt(node.io(), node.children(), pos, end - pos);
            long n = Math.max(1, Math.min(run[1], end - pos));
            int d = (int) run[0];
            if (e.count == maxExtents && e.flags[e.count - 1] != d) break;
            e.add(n, d);
            pos += n;
        }
        return e;
    }

    /** Returns {depth, length of the run with that depth}. */
    private static long[] depthAt(BlockNode top, List<NodeChild> topChildren, long pos, long len) throws BlockException {
        BlockNode cur = top;
        List<NodeChild> children = topChildren;
        int depth = 1;
        for (int guard = 0; guard < 256; guard++) {
            BlockStatus st = cur.blockStatus(pos, len);
            len = Math.max(1, Math.min(st.length(), len));
            if (st.isAllocated()) return new long[] {depth, len};
            BlockNode next = null;
            boolean filter = false;
            for (NodeChild c : children) {
                if (c.role() == ChildRole.COW) {
                    next = c.node();
                    break;
                }
            }
            if (next == null) {
                for (NodeChild c : children) {
                    if (c.role() == ChildRole.FILTERED) {
                        next = c.node();
                        filter = true;
                        break;
                    }
                }
            }
            if (next == null) return new long[] {0, len};
            if (!filter) depth++;
            cur = next;
            children = next.children();
            try {
                if (pos >= cur.size()) return new long[] {0, len}; // a shorter backing file reads as zeroes
                len = Math.min(len, cur.size() - pos);
            } catch (BlockException ex) {
                return new long[] {0, len};
            }
        }
        return new long[] {0, len};
    }
}
