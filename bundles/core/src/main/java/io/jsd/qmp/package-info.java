/** QMP commands and events: commands are DS components found by name. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("2.0.0")
package io.jsd.qmp;
