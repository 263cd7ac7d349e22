/**
 * Linux libc through java.lang.foreign, shared by the bundles that need native calls: downcall
 * handles that capture errno ({@link io.jsd.linux.Libc}), the errno exception, and the calls more
 * than one bundle uses. Each bundle keeps its own specific calls (fallocate, mmap, eventfd, ...).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.jsd.linux;
