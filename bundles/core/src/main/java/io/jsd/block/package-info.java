/** Block drivers and nodes: what a driver implements, what core guarantees, and the graph service. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package io.jsd.block;
