/** Typed access to JSON / key=value options, shared by QMP and the command line. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package io.jsd.options;
