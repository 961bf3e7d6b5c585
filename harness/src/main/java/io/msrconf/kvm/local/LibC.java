package io.msrconf.kvm.local;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * The few libc calls the KVM binding needs, bound by JNA direct mapping (static natives, no
 * reflection per call). Methods whose failure is reported through errno declare
 * {@link LastErrorException}: JNA clears errno before the call and throws with its value when the
 * call left it set.
 *
 * <p>{@code ioctl} and {@code open} are variadic in C. Binding them with fixed arguments is sound
 * on x86-64 System V, where variadic integer and pointer arguments travel in the same registers as
 * fixed ones; this binding is for x86-64 Linux only (KVM's x86 API).
 */
public final class LibC {

    static {
        Native.register(LibC.class, Platform.C_LIBRARY_NAME);
    }

    // <fcntl.h>, <sys/mman.h>, <signal.h> on x86-64 Linux
    public static final int O_RDWR = 0x2;
    public static final int O_CLOEXEC = 0x80000;
    public static final int PROT_NONE = 0x0;
    public static final int PROT_READ = 0x1;
    public static final int PROT_WRITE = 0x2;
    public static final int MAP_SHARED = 0x01;
    public static final int MAP_PRIVATE = 0x02;
    public static final int MAP_ANONYMOUS = 0x20;
    public static final int MAP_NORESERVE = 0x4000;
    public static final long SIG_DFL = 0;

    private LibC() {
    }

    public static native int open(String path, int flags) throws LastErrorException;

    public static native int close(int fd) throws LastErrorException;

    public static native int ioctl(int fd, long request, Pointer arg) throws LastErrorException;

    public static native int ioctl(int fd, long request, long arg) throws LastErrorException;

    public static native Pointer mmap(Pointer addr, long length, int prot, int flags, int fd, long offset)
            throws LastErrorException;

    public static native int munmap(Pointer addr, long length) throws LastErrorException;

    public static native int mprotect(Pointer addr, long length, int prot) throws LastErrorException;

    /** The calling thread's {@code pthread_t} (an unsigned long on Linux). */
    public static native long pthread_self();

    /** Returns 0 or an error number: pthread functions do not set errno. */
    public static native int pthread_kill(long thread, int signal);

    /** {@code act} and {@code oldact} point to glibc's {@code struct sigaction} ({@link KvmLayouts.Sigaction}). */
    public static native int sigaction(int signal, Pointer act, Pointer oldact) throws LastErrorException;
}
