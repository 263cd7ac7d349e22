package io.jsd.qcow2.internal;

import java.io.FileOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;

import io.jsd.block.BlockNode;
import io.jsd.block.IoFlags;

/**
 * Child process of {@link CrashTest}: writes numbered blocks into a qcow2 image forever and, after
 * each completed flush, appends the number of the last operation covered by it to a log (synced).
 * The parent kills it with SIGKILL at a random moment.
 */
public final class CrashWorker {
    static final int BLOCK = 4096;

    private CrashWorker() {}

    /** Operation {@code i} of the sequence for {@code seed}: which block, and whether it is a zero write. */
    static long[] op(Random r, long blocks) {
        long block = Math.floorMod(r.nextLong(), blocks);
        int kind = r.nextInt(10); // 0: zero write, 1: discard, else data
        int count = 1 + r.nextInt(kind >= 8 ? 40 : 3);
        return new long[] {block, Math.min(count, blocks - block), kind};
    }

    public static void main(String[] args) throws Exception {
        Path img = Path.of(args[0]);
        long seed = Long.parseLong(args[1]);
        try (Harness h = new Harness(); FileOutputStream log = new FileOutputStream(args[2], true)) {
            BlockNode n = h.openQcow2(img, false);
            long blocks = n.size() / BLOCK;
            Random r = new Random(seed);
            for (int i = 1; ; i++) {
                long[] op = op(r, blocks);
                long off = op[0] * BLOCK, len = op[1] * BLOCK;
                if (op[2] == 0) n.writeZeroes(off, len, IoFlags.MAY_UNMAP);
                else if (op[2] == 1) n.writeZeroes(off, len, 0);
                else {
                    ByteBuffer b = ByteBuffer.allocate((int) len);
                    while (b.hasRemaining()) b.putInt(i);
                    n.write(off, b.flip(), 0);
                }
                if (i % 7 == 0) {
                    n.flush();
                    log.write((i + "\n").getBytes());
                    log.getFD().sync();
                }
            }
        }
    }
}
