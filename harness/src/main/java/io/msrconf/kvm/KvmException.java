package io.msrconf.kvm;

import io.msrconf.abi.Errno;

/** A KVM (or libc) call that failed with an errno the caller did not ask to see as data. */
public class KvmException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String operation;
    private final int errno;

    public KvmException(String operation, int errno) {
        this(operation, errno, operation + " failed: " + Errno.describe(errno));
    }

    /** A failure without an errno (errno 0): the transport to the KVM broke, say. */
    public KvmException(String operation, int errno, String message) {
        super(message);
        this.operation = operation;
        this.errno = errno;
    }

    /** The ioctl or libc function, e.g. "KVM_CREATE_VCPU". */
    public String operation() {
        return operation;
    }

    public int errno() {
        return errno;
    }
}
