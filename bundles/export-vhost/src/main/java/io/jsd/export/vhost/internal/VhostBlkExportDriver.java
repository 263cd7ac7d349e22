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

    @Override
    public Export create(ExportContext ctx) throws Exception {
        Options o = ctx.options();
        Options addr = o.child("addr");
        if (addr == null) throw o.missing("addr");
        long numQueues = o.integer("num-queues", 1);
        long lbs = o.size("logical-block-size", 512);
        String type = addr.choice("type", null, "unix", "fd", "inet", "vsock");
        if (type == null) throw addr.missing("type");
        String path = null, fdStr = null;
        if (type.equals("unix")) path = addr.string("path");
        else if (type.equals("fd")) fdStr = addr.string("str");
        else throw new OptionException("vhost-user-blk only supports unix and fd socket addresses");
        addr.checkAllUsed();
        o.checkAllUsed();
        if (numQueues == 0) throw new OptionException("num-queues must be greater than 0");
        if (numQueues < 0 || numQueues > MAX_QUEUES) {
            throw new OptionException("num-queues must be at most " + MAX_QUEUES);
        }
        checkBlockSize(ctx.id(), lbs);

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

    /** qemu's check_block_size() messages. */
    static void checkBlockSize(String id, long value) {
        if (value < MIN_BLOCK_SIZE || value > MAX_BLOCK_SIZE) {
            throw new OptionException("Property " + id + ".logical-block-size doesn't take value " + value
                    + " (minimum: " + MIN_BLOCK_SIZE + ", maximum: " + MAX_BLOCK_SIZE + ")");
        }
        if ((value & (value - 1)) != 0) {
            throw new OptionException("Property " + id + ".logical-block-size doesn't take value '" + value
                    + "', it's not a power of 2");
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
}
