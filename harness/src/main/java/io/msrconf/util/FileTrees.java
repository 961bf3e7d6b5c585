package io.msrconf.util;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Deleting a directory tree: the one copy of what the CLI, the report, the matrix and the benchmark each need. */
public final class FileTrees {

    private FileTrees() {
    }

    /** Deletes {@code dir} and everything below it, deepest first; nothing happens when it does not exist. */
    public static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();   // Files.walk reports a directory it cannot read this way
        }
    }

    /** {@link #delete}, for clean-up paths where a leftover temporary directory must not hide the real error. */
    public static void deleteQuietly(Path dir) {
        try {
            delete(dir);
        } catch (IOException e) {
            // best effort: the directory is under the system's temporary directory
        }
    }
}
