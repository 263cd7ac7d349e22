/** Block drivers and nodes: what a driver implements, what core guarantees, and the graph service. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("2.0.0")
package io.jsd.block;
