package io.msrconf.abi;

/**
 * Linux errno numbers (x86-64) that KVM ioctls return, with their names: for messages, and for the
 * names a spec uses to expect an ioctl result ("ok" is 0, success).
 */
public final class Errno {

    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int ENXIO = 6;
    public static final int E2BIG = 7;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EFAULT = 14;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int ENODEV = 19;
    public static final int EINVAL = 22;
    public static final int ENOTTY = 25;
    public static final int ENOSPC = 28;
    public static final int ERANGE = 34;
    public static final int ENOSYS = 38;
    public static final int EOPNOTSUPP = 95;

    private Errno() {
    }

    /** "EINVAL" for 22, "ok" for 0; numbers not listed here come back as "errno n". */
    public static String name(int errno) {
        return switch (errno) {
            case 0 -> "ok";
            case EPERM -> "EPERM";
            case ENOENT -> "ENOENT";
            case EINTR -> "EINTR";
            case EIO -> "EIO";
            case ENXIO -> "ENXIO";
            case E2BIG -> "E2BIG";
            case EBADF -> "EBADF";
            case EAGAIN -> "EAGAIN";
            case ENOMEM -> "ENOMEM";
            case EACCES -> "EACCES";
            case EFAULT -> "EFAULT";
            case EBUSY -> "EBUSY";
            case EEXIST -> "EEXIST";
            case ENODEV -> "ENODEV";
            case EINVAL -> "EINVAL";
            case ENOTTY -> "ENOTTY";
            case ENOSPC -> "ENOSPC";
            case ERANGE -> "ERANGE";
            case ENOSYS -> "ENOSYS";
            case EOPNOTSUPP -> "EOPNOTSUPP";
            default -> "errno " + errno;
        };
    }

    /** "EEXIST (17)". */
    public static String describe(int errno) {
        return name(errno) + " (" + errno + ")";
    }

    /** The number for "ok" or an errno name listed here. */
    public static java.util.Optional<Integer> byName(String name) {
        return java.util.stream.IntStream.range(0, 256).filter(n -> name(n).equals(name)).boxed().findFirst();
    }

    /** Every name {@link #byName} accepts, in errno order. */
    public static java.util.List<String> names() {
        return java.util.stream.IntStream.range(0, 256).mapToObj(Errno::name).filter(n -> !n.startsWith("errno ")).toList();
    }
}
