package io.jsd.core.internal.graph;

import io.jsd.block.BlockException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The images of the backing chain being opened right now, top first. Opening a chain recurses
 * (each image's driver opens its backing file), so its depth is bounded, and an image whose
 * backing file is already in the chain (a cycle: an image naming itself, or two naming each
 * other) is refused before it is opened again. qemu 10 has neither check: it keeps opening the
 * same files until memory or descriptors run out.
 */
final class BackingChain {
    /**
     * Longer than chains in practice, and short enough for the recursions over a chain to fit a
     * small stack: opening runs on a deep-stack thread ({@link DeepStack}), but a read of an
     * unallocated cluster falls through every image on the caller's thread (a virtual thread
     * bounded by bin/jsd's -Xss512k); 256 images take under 200 KiB of it.
     */
    static final int MAX_DEPTH = 256;

    /** One image in the chain: what identifies its file, and its name for messages. */
    private record Image(Object identity, String name) {}

    private final List<Image> images = new ArrayList<>();

    /** One level entered; closing it leaves the level. */
    interface Level extends AutoCloseable {
        @Override void close();
    }

    /** Enters the backing level of {@code image}, whose backing file is about to be opened. */
    Level enter(Node image) throws BlockException {
        if (images.size() >= MAX_DEPTH) {
            throw BlockException.invalid("Backing file chain too deep: more than " + MAX_DEPTH + " backing files");
        }
        Node leaf = image.leaf();
        String name = leaf.imageInfo().path("filename").asText(image.nodeName());
        Object id = identity(leaf, name);
        for (Image i : images) {
            if (i.identity().equals(id)) throw cycle(name);
        }
        images.add(new Image(id, name));
        int level = images.size();
        return () -> {
            while (images.size() >= level) images.removeLast();
        };
    }

    /** Refuses {@code file}, a local file about to be opened as a backing file, if it is already in the chain. */
    void checkTarget(String file) throws BlockException {
        if (file == null) return;
        Object id = fileIdentity(file);
        for (Image i : images) {
            if (i.identity().equals(id)) throw cycle(file);
        }
    }

    private static BlockException cycle(String file) {
        return BlockException.invalid("Backing file chain loops: '" + file + "' is already part of it");
    }

    /** A local file by device and inode (hard links and symlinks are the same file); other nodes by themselves. */
    private static Object identity(Node leaf, String filename) {
        String d = leaf.driver();
        return d.equals("file") || d.equals("host_device") ? fileIdentity(filename) : leaf;
    }

    private static Object fileIdentity(String file) {
        try {
            Path p = Path.of(file);
            try {
                var a = Files.readAttributes(p, "unix:dev,ino");
                return a.get("dev") + ":" + a.get("ino");
            } catch (IOException | UnsupportedOperationException e) {
                return p.toAbsolutePath().normalize().toString(); // not there (yet): opening it will say so
            }
        } catch (IllegalArgumentException e) {
            return file;
        }
    }
}
