package io.msrconf.target;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The Debian 6.1 (and 6.12) kernel, for the tests that boot a kernel other than the shared guest's (the matrix and
 * bisect-run on a kernel image): QEMU, a static busybox and the kernel in the cache ({@code .ci/run}
 * installs and fetches them; the tests never touch the network). Locally a missing prerequisite skips the
 * test with the reason; in CI it fails it.
 */
public final class GuestKernels {

    public static final String SERIES = "6.1";

    private GuestKernels() {
    }

    /** The cached Debian 6.1 package, or the test is skipped (locally) or failed (CI) with the reason. */
    public static Path cachedDebian61() {
        return cached(SERIES);
    }

    /** The cached Debian 6.12 package (the shared guest's kernel), likewise. */
    public static Path cachedDebian612() {
        return cached("6.12");
    }

    private static Path cached(String series) {
        Optional<String> missing = AgentGuest.unavailableReason();
        Path link = KvmTarget.defaultCache().resolve("debian-" + series);
        if (missing.isEmpty() && !Files.isDirectory(link)) {
            missing = Optional.of("the Debian " + series + " kernel is not in " + KvmTarget.defaultCache()
                    + " (fetch it: bash matrix/fetch-debian-kernel.sh " + series + " " + KvmTarget.defaultCache() + ")");
        }
        if (missing.isPresent()) {
            if (System.getenv("CI") != null) {
                Assertions.fail("CI must test booted kernels, but " + missing.get() + " (.ci/run provides it)");
            }
            Assumptions.abort(missing.get());
        }
        try {
            return link.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
