/** Background jobs (blockdev-create, mirror, ...): a state machine core owns. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.jsd.job;
