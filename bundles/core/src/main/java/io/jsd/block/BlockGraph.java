package io.jsd.block;

import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** The block graph service core registers: which nodes exist. */
@ProviderType
public interface BlockGraph {
    /** blockdev-add: {@code options} is a BlockdevOptions object (children inline or by name). */
    NodeHandle add(ObjectNode options) throws BlockException;

    /**
     * blockdev-add from parsed options: key=value options from the command line convert on access,
     * and the keys read are marked used in {@code options}.
     */
    default NodeHandle add(io.jsd.options.Options options) throws BlockException { return add(options.json()); }

    /** blockdev-del of a root node; implicitly created children go with it. */
    void delete(String nodeName) throws BlockException;

    Optional<NodeHandle> find(String nodeName);

    /** Like {@link #find} but throws qemu's "Cannot find device=... nor node-name=..." error. */
    NodeHandle require(String nodeName) throws BlockException;

    /** All nodes, in creation order. */
    List<NodeHandle> nodes();

    /** Looks up an installed driver by name. */
    Optional<BlockDriver> driver(String name);
}
