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
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.jsd.block.NodeHandle;
import io.jsd.export.Export;
import io.jsd.export.ExportContext;
import io.jsd.nbd.internal.NbdExportDriver;
import io.jsd.nbd.internal.NbdServerStart;
import io.jsd.nbd.internal.NbdServerStop;
import io.jsd.nbd.internal.NbdService;
import io.jsd.options.Options;
import io.jsd.qmp.QmpEvents;
import io.jsd.qmp.QmpSession;
import io.jsd.testkit.GraphHarness;

/**
 * The NBD request path in one process: export-nbd's engine (nbd-server-start + the "nbd" export
 * type, wired as SCR would wire them) on a unix socket over a node of core's graph, and a minimal
 * client per benchmark thread doing one request at a time (QD1 per connection), or batches of 16
 * pipelined requests (the *Qd16 variants). "null-co" isolates the protocol engine + core's
 * wrapper; "raw" adds the raw and file drivers on a cached image.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
@Threads(2)
public class NbdRequestBench {
    @Param({"null-co", "raw"})
    public String stack;

    @Param({"4096"})
    public int blockSize;

    @Param({"256"})
    public int sizeMiB;

    private Path dir;
    private GraphHarness graph;
    private NbdService service;
    private Export export;
    Path socket;
    long blocks;

    @Setup(Level.Trial)
    public void start() throws Exception {
        long size = (long) sizeMiB << 20;
        dir = Images.scratchDir();
        String format = Stacks.format(stack);
        Path image = format == null ? null : Images.create(dir, format, size);
        graph = Stacks.graph();
        NodeHandle node = Stacks.open(graph, stack, image, size);
        blocks = node.io().size() / blockSize;

        service = new NbdService();
        socket = dir.resolve("nbd.sock");
        ObjectNode addr = JsonNodeFactory.instance.objectNode();
        addr.putObject("addr").put("type", "unix").put("path", socket.toString());
        Components.inject(new NbdServerStart(), "service", service).execute(Options.of(addr), () -> false);
        export = Components.inject(new NbdExportDriver(), "service", service).create(new Context(node));
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        if (export != null) export.close(true);
        if (service != null && service.current() != null) {
            Components.inject(new NbdServerStop(), "service", service)
                    .execute(Options.of(JsonNodeFactory.instance.objectNode()), () -> false);
        }
        if (graph != null) graph.clear();
        Images.deleteTree(dir);
    }

    /** One connection per benchmark thread. */
    @State(Scope.Thread)
    public static class Conn {
        NbdClient client;
        ByteBuffer buf;
        SplittableRandom rnd;
        final long[] offsets = new long[QD];

        @Setup(Level.Trial)
        public void connect(NbdRequestBench b) throws Exception {
            client = new NbdClient(b.socket, "disk");
            buf = ByteBuffer.allocateDirect(b.blockSize);
            rnd = new SplittableRandom(Thread.currentThread().threadId());
        }

        @TearDown(Level.Trial)
        public void disconnect() throws Exception {
            if (client != null) client.close();
        }
    }

    @Benchmark
    public int randRead(Conn c) throws Exception {
        c.client.read(c.rnd.nextLong(blocks) * blockSize, c.buf.clear());
        return c.buf.limit();
    }

    @Benchmark
    public int randWrite(Conn c) throws Exception {
        c.client.write(c.rnd.nextLong(blocks) * blockSize, c.buf.clear());
        return c.buf.position();
    }

    /** Per-invocation batch for the pipelined benchmarks. */
    static final int QD = 16;

    private long[] offsets(Conn c) {
        for (int i = 0; i < QD; i++) c.offsets[i] = c.rnd.nextLong(blocks) * blockSize;
        return c.offsets;
    }

    /** {@value #QD} reads in flight per connection, then wait for all; a score is still per request. */
    @Benchmark
    @OperationsPerInvocation(QD)
    public int randReadQd16(Conn c) throws Exception {
        c.client.batch(false, offsets(c), c.buf.clear());
        return c.buf.limit();
    }

    @Benchmark
    @OperationsPerInvocation(QD)
    public int randWriteQd16(Conn c) throws Exception {
        c.client.batch(true, offsets(c), c.buf.clear());
        return c.buf.limit();
    }

    /** What core's block-export-add would hand the export type. */
    private record Context(NodeHandle node) implements ExportContext {
        @Override public String id() { return "disk"; }
        @Override public Options options() { return Options.of(JsonNodeFactory.instance.objectNode()); }
        @Override public boolean writable() { return true; }
        @Override public boolean writethrough() { return false; }
        @Override public String iothread() { return null; }
        @Override public QmpEvents events() { return (name, data) -> { }; }
        @Override public QmpSession session() { return () -> false; }
    }
}
