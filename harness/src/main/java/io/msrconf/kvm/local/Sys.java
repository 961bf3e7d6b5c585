package io.msrconf.kvm.local;

import com.sun.jna.LastErrorException;
import com.sun.jna.Pointer;
import io.msrconf.kvm.KvmException;
import io.msrconf.kvm.local.LibC;

/** The two ways the owners call into libc: failure as {@link KvmException}, or errno as data. */
final class Sys {

    private Sys() {
    }

    static int ioctl(String operation, int fd, long request, Pointer arg) {
        try {
            return LibC.ioctl(fd, request, arg);
        } catch (LastErrorException e) {
            throw new KvmException(operation, e.getErrorCode());
        }
    }

    static int ioctl(String operation, int fd, long request, long arg) {
        try {
            return LibC.ioctl(fd, request, arg);
        } catch (LastErrorException e) {
            throw new KvmException(operation, e.getErrorCode());
        }
    }

    /** The ioctl's non-negative result, or {@code -errno}. */
    static int ioctlOrErrno(int fd, long request, Pointer arg) {
        try {
            return LibC.ioctl(fd, request, arg);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    static Pointer mmap(String what, long length, int flags, int fd) {
        try {
            return LibC.mmap(null, length, LibC.PROT_READ | LibC.PROT_WRITE, flags, fd, 0);
        } catch (LastErrorException e) {
            throw new KvmException("mmap of " + what, e.getErrorCode());
        }
    }

    static void munmap(Pointer addr, long length) {
        try {
            LibC.munmap(addr, length);
        } catch (LastErrorException e) {
            throw new KvmException("munmap", e.getErrorCode());
        }
    }

    static void close(int fd) {
        try {
            LibC.close(fd);
        } catch (LastErrorException e) {
            throw new KvmException("close", e.getErrorCode());
        }
    }
}
