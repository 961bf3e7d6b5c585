package io.msrconf.matrix;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * What the tests that boot a kernel under QEMU need: QEMU, a static busybox and the Debian 6.1 kernel
 * in the cache (.ci/run installs and fetches them; the tests never touch the network). Locally a
 * missing prerequisite skips the test with the reason; in CI (the CI variable is set) it fails it, so the
 * matrix cannot quietly stop being tested.
 */
final class GuestKernels {

    static final String SERIES = "6.1";

    private GuestKernels() {
    }

    /** The cached Debian 6.1 package, or the test is skipped (locally) or failed (CI) with the reason. */
    static Path cachedDebian61() {
        Optional<String> missing = QemuGuest.unavailableReason();
        Path link = KernelTarget.defaultCache().resolve("debian-" + SERIES);
        if (missing.isEmpty() && !Files.isDirectory(link)) {
            missing = Optional.of("the Debian " + SERIES + " kernel is not in " + KernelTarget.defaultCache()
                    + " (fetch it: bash matrix/fetch-debian-kernel.sh " + SERIES + " " + KernelTarget.defaultCache() + ")");
        }
        if (missing.isPresent()) {
            if (System.getenv("CI") != null) {
                Assertions.fail("CI must test the kernel matrix, but " + missing.get() + " (.ci/run provides it)");
            }
            Assumptions.abort(missing.get());
        }
        try {
            return link.toRealPath();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
