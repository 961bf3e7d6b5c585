package io.msrconf.spec;

import java.util.Map;
import java.util.Optional;

/** The errno values an ioctl expectation can name, with Linux x86-64 numbers. 0 is "ok". */
public final class Errno {

    private static final Map<String, Integer> BY_NAME = Map.ofEntries(
            Map.entry("ok", 0), Map.entry("EPERM", 1), Map.entry("ENOENT", 2), Map.entry("EINTR", 4),
            Map.entry("EIO", 5), Map.entry("E2BIG", 7), Map.entry("EBADF", 9), Map.entry("EAGAIN", 11),
            Map.entry("ENOMEM", 12), Map.entry("EACCES", 13), Map.entry("EFAULT", 14), Map.entry("EBUSY", 16),
            Map.entry("EEXIST", 17), Map.entry("ENODEV", 19), Map.entry("EINVAL", 22), Map.entry("ENOSPC", 28),
            Map.entry("ENOTTY", 25), Map.entry("ERANGE", 34), Map.entry("ENOSYS", 38), Map.entry("EOPNOTSUPP", 95));

    private Errno() {
    }

    public static Optional<Integer> byName(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }

    public static String name(int errno) {
        if (errno == 0) {
            return "ok";
        }
        return BY_NAME.entrySet().stream().filter(e -> e.getValue() == errno).map(Map.Entry::getKey)
                .findFirst().orElse("errno " + errno);
    }

    /** "EINVAL (22)", or "ok (0)". */
    public static String describe(int errno) {
        return name(errno) + " (" + errno + ")";
    }

    public static java.util.Set<String> names() {
        return BY_NAME.keySet();
    }
}
