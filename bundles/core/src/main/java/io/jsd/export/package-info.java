/** Export types (nbd, vhost-user-blk, ...) and the export registry core owns. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("2.0.0")
package io.jsd.export;
