package io.msrconf.util;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Deleting and copying directory trees: the one copy of what the CLI, the report, the matrix and the benchmark each need. */
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

    /**
     * Copies the tree at {@code from} to {@code to} (directories and regular files; existing files are replaced). A
     * symbolic link is refused, not followed: the trees copied are results from elsewhere, and a link in one could
     * make the copy read any file of this machine.
     */
    public static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path p : paths.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isSymbolicLink(p)) {
                    throw new IOException("refusing to copy the symbolic link " + p);
                } else if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.LinkOption.NOFOLLOW_LINKS);
                }
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
