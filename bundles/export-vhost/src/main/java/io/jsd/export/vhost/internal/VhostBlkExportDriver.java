package io.jsd.export.vhost.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.FileDescriptorCast;
import org.osgi.service.component.annotations.Component;

import io.jsd.block.BlockNode;
import io.jsd.export.Export;
import io.jsd.export.ExportContext;
import io.jsd.export.ExportDriver;
import io.jsd.export.ExportTypeName;
import io.jsd.options.OptionException;
import io.jsd.options.Options;
import io.jsd.options.SocketAddressOption;

/**
 * {@code --export type=vhost-user-blk,addr.type=unix,addr.path=...} and block-export-add: the
 * options QSD 10 takes ({@code addr}, {@code num-queues}, {@code logical-block-size}), with its
 * error messages.
 */
@Component
@ExportTypeName("vhost-user-blk")
public final class VhostBlkExportDriver implements ExportDriver {
    static final int MIN_BLOCK_SIZE = 512, MAX_BLOCK_SIZE = 2 * 1024 * 1024;
    /** A generous bound: each queue is a thread and the front-end's vhost_dev has a fixed limit anyway. */
    static final int MAX_QUEUES = 256;

    /**
     * BlockExportOptionsVhostUserBlk as QAPI reads it: addr (a SocketAddress, checked for unexpected
     * members before the next option), logical-block-size, num-queues (a uint16), every member
     * type-checked; nothing is acted on.
     */
    record Args(SocketAddressOption addr, long numQueues, long blockSize) {
        String type() { return addr.type(); }

        String path() { return addr.path(); }

        String fd() { return addr.fd(); }

        static Args read(Options o) {
            Options addr = o.child("addr");
            if (addr == null) throw o.missing("addr");
            SocketAddressOption sa = SocketAddressOption.read(addr);
            long lbs = o.size("logical-block-size", 512);
            long numQueues = o.integer("num-queues", 1);
            if (numQueues < 0 || numQueues > 0xffff) throw new OptionException("Parameter '" + name(o, "num-queues") + "' expects uint16_t");
            return new Args(sa, numQueues, lbs);
        }

        private static String name(Options o, String key) { return o.prefix() + key; }
    }

    @Override
    public boolean readOptions(Options options) {
        Args.read(options);
        return true;
    }

    @Override
    public Export create(ExportContext ctx) throws Exception {
        Options o = ctx.options();
        Args a = Args.read(o);
        o.checkAllUsed();
        // then vu_blk_exp_create's checks in its order: block size, queues, and (in
        // vhost_user_server_start) the address type
        long numQueues = a.numQueues(), lbs = a.blockSize();
        String path = a.path(), fdStr = a.fd();
        checkBlockSize(ctx.id(), lbs);
        if (numQueues == 0) throw new OptionException("num-queues must be greater than 0");
        if (numQueues > MAX_QUEUES) throw new OptionException("num-queues must be at most " + MAX_QUEUES);
        if (!a.type().equals("unix") && !a.type().equals("fd")) {
            throw new OptionException("Only socket address types 'unix' and 'fd' are supported");
        }
        a.addr().checkSupported();

        BlockNode node = ctx.node().io();
        boolean writable = ctx.writable();
        boolean writethrough = ctx.writethrough();
        int nq = (int) numQueues, bs = (int) lbs;
        AFUNIXServerSocket server;
        Path socketPath = null;
        if (path != null) {
            socketPath = Path.of(path);
            server = listen(socketPath);
        } else {
            server = fromFd(fdStr);
        }
        VhostBlkExport e = new VhostBlkExport(ctx.id(), server, socketPath,
                () -> new VirtioBlkDevice(node, writable, writethrough, nq, bs));
        e.start();
        return e;
    }

    /** qemu 10's check_block_size() (util/block-helpers.c): one message for every bad value. */
    static void checkBlockSize(String id, long value) {
        if (value < MIN_BLOCK_SIZE || value > MAX_BLOCK_SIZE || (value & (value - 1)) != 0) {
            throw new OptionException("parameter logical-block-size must be a power of 2 between " + MIN_BLOCK_SIZE
                    + " and " + MAX_BLOCK_SIZE);
        }
    }

    private static AFUNIXServerSocket listen(Path path) throws IOException {
        // Like qemu: a stale socket file from an earlier run is replaced.
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new OptionException("Failed to unlink socket " + path + ": " + e.getMessage());
        }
        AFUNIXServerSocket s = AFUNIXServerSocket.newInstance();
        try {
            s.bind(AFUNIXSocketAddress.of(path), 1);
        } catch (IOException e) {
            s.close();
            throw new OptionException("Failed to bind socket to " + path + ": " + e.getMessage());
        }
        return s;
    }

    private static AFUNIXServerSocket fromFd(String str) throws IOException {
        int fd;
        try {
            fd = Integer.parseInt(str);
        } catch (NumberFormatException e) {
            throw new OptionException("File descriptor named '" + str + "' has not been found");
        }
        if (fd < 0) throw new OptionException("File descriptor named '" + str + "' has not been found");
        try {
            return FileDescriptorCast.unsafeUsing(fd).as(AFUNIXServerSocket.class);
        } catch (IOException | ClassCastException e) {
            throw new OptionException("File descriptor " + fd + " is not a listening unix socket: " + e.getMessage());
        }
    }

    @Override
    public io.jsd.options.OptionsSchema optionsSchema() {
        return io.jsd.options.OptionsSchema.of(io.jsd.options.QapiType.struct("BlockExportOptionsVhostUserBlk",
                "addr:SocketAddress", "logical-block-size?:size", "num-queues?:uint16"));
    }
}
