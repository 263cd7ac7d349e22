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

    /**
     * base:allocation: NBD_STATE_HOLE where there is no data, NBD_STATE_ZERO where it reads as
     * zeroes. Like qemu's block_status_above, ranges the node leaves to its backing node are
     * answered by the backing chain.
     */
    static Extents allocation(NodeHandle node, long offset, long length, int maxExtents) throws BlockException {
        return collect(node, offset, length, maxExtents, run -> {
            int flags = (int) run[2];
            return ((flags & BlockStatus.DATA) != 0 ? 0 : Nbd.STATE_HOLE) | ((flags & BlockStatus.ZERO) != 0 ? Nbd.STATE_ZERO : 0);
        });
    }

    /**
     * qemu:allocation-depth: 0 where no layer allocates the range, 1 where the exported node does,
     * N where the (N-1)th backing node does. Filters are looked through without counting.
     */
    static Extents depth(NodeHandle node, long offset, long length, int maxExtents) throws BlockException {
        return collect(node, offset, length, maxExtents, run -> (int) run[0]);
    }

    /** Walks [offset, offset+length) run by run; {@code value} turns a {@link #walk} result into the extent's flags. */
    private static Extents collect(NodeHandle node, long offset, long length, int maxExtents,
                                   java.util.function.ToIntFunction<long[]> value) throws BlockException {
        Extents e = new Extents();
        long pos = offset;
        long end = offset + length;
        while (pos < end) {
            long[] run = walk(node.io(), node.children(), pos, end - pos);
            long n = Math.max(1, Math.min(run[1], end - pos));
            int f = value.applyAsInt(run);
            if (e.count == maxExtents && e.flags[e.count - 1] != f) break;
            e.add(n, f);
            pos += n;
        }
        return e;
    }

    /**
     * Walks down the backing chain at {@code pos}: returns {depth, length of the run, BlockStatus
     * flags of the layer that answers}. Depth 0 means no layer allocates the range.
     */
    private static long[] walk(BlockNode top, List<NodeChild> topChildren, long pos, long len) throws BlockException {
        BlockNode cur = top;
        List<NodeChild> children = topChildren;
        int depth = 1;
        for (int guard = 0; guard < 256; guard++) {
            BlockStatus st = cur.blockStatus(pos, len);
            len = Math.max(1, Math.min(st.length(), len));
            if (st.isAllocated()) return new long[] {depth, len, st.flags()};
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
            if (next == null) return new long[] {0, len, st.flags()};
            if (!filter) depth++;
            cur = next;
            children = next.children();
            long size;
            try {
                size = cur.size();
            } catch (BlockException ex) {
                return new long[] {0, len, BlockStatus.ZERO};
            }
            if (pos >= size) return new long[] {0, len, BlockStatus.ZERO}; // past a shorter backing file: zeroes
            len = Math.min(len, size - pos);
        }
        return new long[] {0, len, 0};
    }
}
