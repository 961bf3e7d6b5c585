package io.msrconf.cli;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;

/**
 * Where msrconf itself is: the checkout whose {@code harness/target} holds the running code. Defaults
 * that belong to msrconf (its specs, its report directory) are found here; every path a user types is
 * resolved against the user's own working directory, never against this.
 */
final class Installation {

    private Installation() {
    }

    /** The checkout's root: the directory with {@code specs/} above {@code harness/target}; else the working directory. */
    static Path home() {
        try {
            CodeSource source = Installation.class.getProtectionDomain().getCodeSource();
            if (source != null && source.getLocation() != null) {
                Path code = Path.of(source.getLocation().toURI()).toAbsolutePath();
                for (Path p = code; p != null; p = p.getParent()) {
                    if (Files.isDirectory(p.resolve("specs")) && Files.isDirectory(p.resolve("harness"))) {
                        return p;
                    }
                }
            }
        } catch (URISyntaxException | IllegalArgumentException | SecurityException e) {
            // fall through to the working directory
        }
        return Path.of("").toAbsolutePath();
    }

    /** msrconf's own spec directory. */
    static Path specs() {
        return home().resolve("specs");
    }

    /** Where a run's results go unless --out says otherwise. */
    static Path defaultOut() {
        return home().resolve("reports").resolve("out");
    }

    /** Where the kernel matrix's results go unless --out says otherwise. */
    static Path defaultMatrixOut() {
        return home().resolve("reports").resolve("matrix");
    }
}
