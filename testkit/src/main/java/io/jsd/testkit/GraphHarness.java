package io.jsd.testkit;

import io.jsd.block.BlockDriver;
import io.jsd.block.NodeHandle;
import io.jsd.core.internal.graph.GraphService;

/** A block graph outside OSGi, with the drivers a test installs. */
public final class GraphHarness {
    public final GraphService graph = new GraphService(null, null);

    public GraphHarness driver(String name, BlockDriver d) {
        graph.addDriver(name, d);
        return this;
    }

    public NodeHandle add(String json) throws Exception { return graph.add(Json.obj(json)); }

    /** Deletes every root node (children go with them). */
    public void clear() {
        for (NodeHandle n : graph.nodes().reversed()) {
            try {
                graph.delete(n.nodeName());
            } catch (Exception e) {
                // implicit children are deleted with their parents
            }
        }
    }
}
