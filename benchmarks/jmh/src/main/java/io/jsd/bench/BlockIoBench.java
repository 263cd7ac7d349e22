package io.jsd.bench;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import io.jsd.block.BlockNode;
import io.jsd.block.NodeHandle;
import io.jsd.testkit.GraphHarness;

/**
 * Random reads and writes through core's normalising wrapper ({@code NodeHandle.io()}) over the real
 * drivers: "file" alone, "raw" over file, "qcow2" over file (fully allocated by qemu-img, so the
 * qcow2 cost is metadata lookup, not allocation), and "null-co" (the wrapper with no storage).
 * Each thread issues one request at a time; the image is small enough to live in the page cache,
 * so this measures the software path, not the disk.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
@Threads(2)
public class BlockIoBench {
    @Param({"file", "raw", "qcow2"})
    public String stack;

    @Param({"4096"})
    public int blockSize;

    /** Image size in MiB (the random offsets cover all of it). */
    @Param({"256"})
    public int sizeMiB;

    private Path dir;
    private GraphHarness graph;
    BlockNode io;
    long blocks;

    @Setup(Level.Trial)
    public void open() throws Exception {
        long size = (long) sizeMiB << 20;
        String format = Stacks.format(stack);
        Path image = null;
        if (format != null) {
            dir = Images.scratchDir();
            image = Images.create(dir, format, size);
        }
        graph = Stacks.graph();
        NodeHandle h = Stacks.open(graph, stack, image, size);
        io = h.io();
        blocks = io.size() / blockSize;
        // touch every block once so reads hit the page cache from the first iteration
        ByteBuffer b = ByteBuffer.allocateDirect(1 << 20);
        for (long off = 0; off + b.capacity() <= io.size(); off += b.capacity()) io.read(off, b.clear());
    }

    @TearDown(Level.Trial)
    public void close() {
        if (graph != null) graph.clear();
        Images.deleteTree(dir);
    }

    /** Per-thread buffer and random stream (a shared Random would be the bottleneck). */
    @State(Scope.Thread)
    public static class Io {
        ByteBuffer buf;
        SplittableRandom rnd;

        @Setup(Level.Trial)
        public void init(BlockIoBench b) {
            buf = ByteBuffer.allocateDirect(b.blockSize + 4096).alignedSlice(4096).limit(b.blockSize).slice();
            for (int i = 0; i < b.blockSize; i++) buf.put(i, (byte) i);
            rnd = new SplittableRandom(Thread.currentThread().threadId());
        }
    }

    @Benchmark
    public int randRead(Io t) throws Exception {
        ByteBuffer b = t.buf.clear();
        io.read(t.rnd.nextLong(blocks) * blockSize, b);
        return b.position();
    }

    @Benchmark
    public int randWrite(Io t) throws Exception {
        ByteBuffer b = t.buf.clear();
        io.write(t.rnd.nextLong(blocks) * blockSize, b, 0);
        return b.position();
    }
}
