package io.jsd.core.internal.objects;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

import io.jsd.options.OptionException;
import io.jsd.options.Options;

/**
 * pr-manager-helper: QSD connects to qemu-pr-helper's socket when the object is created and fails
 * with "Failed to connect to '...'" when nobody listens there; so does this check (JSD issues no
 * persistent reservations itself, the object only names the helper).
 */
final class PrManagerCheck {
    private PrManagerCheck() {}

    static void apply(Options o) {
        String path = o.string("path");
        o.checkAllUsed(); // QSD checks the arguments before it connects
        Path p = Path.of(path);
        if (!Files.exists(p)) throw new OptionException("Failed to connect to '" + path + "': No such file or directory");
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(p));
        } catch (IOException e) {
            throw new OptionException("Failed to connect to '" + path + "': Connection refused");
        }
    }
}
