package io.jsd.block;

import org.osgi.annotation.versioning.ProviderType;

import io.jsd.objects.ObjectRegistry;
import io.jsd.options.Options;
import io.jsd.qmp.QmpEvents;

/** What core hands a driver's {@link BlockDriver#open}. */
@ProviderType
public interface OpenContext {

    /** The node's options without the common ones core handles (node-name, driver, discard, cache.*, read-only, ...). */
    Options options();

    /** The node's name (user-given or generated). */
    String nodeName();

    /** Whether the node must be opened read-only (read-only=on, or auto-read-only fell back). */
    boolean readOnly();

    /** auto-read-only=on: a driver that cannot open writable may open read-only instead. */
    boolean autoReadOnly();

    /** cache.direct=on: bypass the host page cache (O_DIRECT). */
    boolean cacheDirect();

    /** cache.no-flush=on: flush requests are ignored. */
    boolean noFlush();

    /** discard=unmap: discards may free space in this node. */
    boolean discardUnmap();

    /**
     * force-share=on (read-only nodes only): take no lock that keeps other processes from writing
     * or resizing the image.
     */
    default boolean forceShare() { return false; }

    /** locking=on|off|auto for protocol drivers ("auto" means on). */
    boolean locking();

    /**
     * Opens the child given under option {@code key}: an inline object is opened as a new node
     * (named "#block123" unless it has a node-name), a string names an existing node, and a missing
     * key returns null unless {@code required}. The child's read-only state follows this node's
     * unless the child is COW (always read-only). The child is owned by the graph: do not close it.
     */
    BlockNode openChild(String key, ChildRole role, boolean required) throws BlockException;

    /** Opens a child from options the driver built itself (qcow2 opening its backing file from the header). */
    BlockNode openChild(String key, ChildRole role, com.fasterxml.jackson.databind.node.ObjectNode options) throws BlockException;

    /**
     * Opens the backing (COW) child as qemu's bdrv_open_backing_file does. The "backing" option,
     * when given, wins: a node name, inline options, or null for none. Otherwise {@code headerName}
     * (the backing file the image header names; null or "" for none) is opened: a relative name
     * relative to the directory of this image's file, a "json:{...}" name as those options, a
     * protocol prefix ("nbd:", "file:", ...) by its driver, in {@code headerFormat} or, when that
     * is null, the format probed from the file. A chain that loops or is too deep is refused.
     * Returns null when there is no backing file. Errors read "Could not open backing file: ...".
     */
    BlockNode openBacking(String headerName, String headerFormat) throws BlockException;

    /** Secrets, TLS credentials and other user objects. */
    ObjectRegistry objects();

    /** For BLOCK_IMAGE_CORRUPTED and similar events. */
    QmpEvents events();
}
