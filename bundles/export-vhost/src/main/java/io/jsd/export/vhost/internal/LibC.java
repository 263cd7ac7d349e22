package io.jsd.export.vhost.internal;

import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;

/** The few libc calls the vhost-user back-end needs (x86_64 / aarch64 Linux, LP64). */
public interface LibC {
    long mmap(long addr, long length, int prot, int flags, int fd, long offset);

    int munmap(long addr, long length);

    int eventfd(int initval, int flags);

    long read(int fd, @Out byte[] buf, long count);

    long write(int fd, @In byte[] buf, long count);

    int close(int fd);

    int memfd_create(String name, int flags);

    int ftruncate(int fd, long length);

    int fstat(int fd, @Out byte[] statbuf);

    /** {@code fds} holds struct pollfd as int pairs: fd, then events | revents << 16 (little endian). */
    int poll(@In @Out int[] fds, long nfds, int timeout);
}
