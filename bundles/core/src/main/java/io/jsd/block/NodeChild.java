package io.jsd.block;

/** A child edge in the graph: the option key it was given under ("file", "backing"), its role and the node. */
public record NodeChild(String name, ChildRole role, BlockNode node) {}
