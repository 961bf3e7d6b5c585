package io.msrconf.testutil;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The headless Chromium the report tests render pages in (Debian package chromium; .ci/run installs it). Locally a
 * missing browser skips the test with the reason; under CI it fails it.
 */
public final class HeadlessChromium {

    private HeadlessChromium() {
    }

    /** The browser's executable, found on PATH; {@code purpose} says why a test needs it. */
    public static Path find(String purpose) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            for (String name : List.of("chromium", "chromium-browser")) {
                Path p = Path.of(dir.isEmpty() ? "." : dir, name);
                if (Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        String why = "headless Chromium is needed to " + purpose + " (Debian package chromium)";
        if (System.getenv("CI") != null) {
            Assertions.fail("CI must check this in a browser, but " + why + " (.ci/run installs it)");
        }
        Assumptions.abort(why);
        return Optional.<Path>empty().orElseThrow();
    }
}
