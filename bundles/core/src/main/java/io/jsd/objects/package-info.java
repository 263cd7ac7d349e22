/** User-created objects (--object / object-add): secrets, iothreads, TLS credentials. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package io.jsd.objects;
