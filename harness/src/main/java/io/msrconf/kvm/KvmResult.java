package io.msrconf.kvm;

import io.msrconf.abi.Errno;

/**
 * What an ioctl whose errno a case checks returned: a non-negative value (0, or a count for
 * KVM_GET_MSRS/KVM_SET_MSRS), or an errno. The other half of the API's error model is
 * {@link KvmException}, for failures the harness cannot go on from.
 */
public record KvmResult(int value, int errno) {

    public static final KvmResult OK = new KvmResult(0, 0);

    public KvmResult {
        if (value < 0 || errno < 0 || value != 0 && errno != 0) {
            throw new IllegalArgumentException("a result is a value or an errno, got value " + value + ", errno " + errno);
        }
    }

    public static KvmResult ofValue(int value) {
        return value == 0 ? OK : new KvmResult(value, 0);
    }

    public static KvmResult ofErrno(int errno) {
        return errno == 0 ? OK : new KvmResult(0, errno);
    }

    /** From a raw ioctl return: a value, or {@code -errno}. */
    public static KvmResult ofReturn(int rc) {
        return rc < 0 ? ofErrno(-rc) : ofValue(rc);
    }

    public boolean ok() {
        return errno == 0;
    }

    /** The raw ioctl form: the value, or {@code -errno}. */
    public int asReturn() {
        return ok() ? value : -errno;
    }

    /** The value; a failure becomes a {@link KvmException} naming {@code operation}. */
    public int orThrow(String operation) {
        if (!ok()) {
            throw new KvmException(operation, errno);
        }
        return value;
    }

    public String describe() {
        return ok() ? String.valueOf(value) : Errno.describe(errno);
    }
}
