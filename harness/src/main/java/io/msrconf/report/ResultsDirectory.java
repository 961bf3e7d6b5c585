package io.msrconf.report;

import io.msrconf.util.AtomicFiles;
import io.msrconf.util.FileTrees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;

/**
 * A run's output directory ({@code --out}), handled so that msrconf never loses what is there:
 * <ul>
 *   <li>msrconf writes only into a directory it made: a new one, or one holding its marker file
 *       ({@value #MARKER}); a directory with other contents and no marker is refused (so {@code --out ~}
 *       cannot delete a user's files), and msrconf only ever replaces the entries it names;</li>
 *   <li>one run at a time: a second run into the same directory stops with a message while the first
 *       holds the lock ({@value #LOCK});</li>
 *   <li>a run writes into a staging directory and publishes at the end: each entry is moved into place
 *       only when it is complete, the previous one kept aside until then, so a run killed at any moment
 *       leaves the previous results and report (and its history) as they were;</li>
 *   <li>an output problem is an {@link OutputException}: one message, its own exit status, never a case
 *       failure.</li>
 * </ul>
 */
public final class ResultsDirectory implements AutoCloseable {

    public static final String MARKER = ".msrconf-results";
    public static final String LOCK = ".msrconf.lock";
    private static final String STAGING_PREFIX = ".staging-";
    private static final String PREVIOUS_SUFFIX = ".previous";

    /** The output directory cannot be used or written. */
    public static final class OutputException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public OutputException(String message, Throwable cause) {
            super(message, cause);
        }

        public OutputException(String message) {
            super(message);
        }
    }

    private final Path dir;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final Path staging;

    private ResultsDirectory(Path dir, FileChannel lockChannel, FileLock lock, Path staging) {
        this.dir = dir;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.staging = staging;
    }

    /** Opens {@code dir} (created when missing) for a run, or says why it cannot be used. */
    public static ResultsDirectory open(Path dir) {
        Path d = dir.toAbsolutePath().normalize();
        try {
            if (Files.exists(d, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)) {
                throw new OutputException(d + " exists and is not a directory; choose another --out");
            }
            boolean fresh = !Files.exists(d);
            Files.createDirectories(d);
            if (!fresh && !Files.exists(d.resolve(MARKER)) && !isEmpty(d)) {
                throw new OutputException(d + " is not empty and was not made by msrconf (it has no " + MARKER
                        + " file); msrconf does not write into it, so as not to replace anything of yours: choose another --out");
            }
            if (!Files.exists(d.resolve(MARKER))) {
                AtomicFiles.write(d.resolve(MARKER), "This directory holds msrconf results; msrconf replaces only what it wrote here.\n");
            }
            FileChannel channel = FileChannel.open(d.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                channel.close();
                throw new OutputException("another msrconf run is writing to " + d + " (it holds " + d.resolve(LOCK)
                        + "); wait for it to finish, or choose another --out");
            }
            try {
                channel.truncate(0);
                channel.write(java.nio.ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + " since " + Instant.now() + "\n")
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
                recover(d);
                Path staging = Files.createDirectory(d.resolve(STAGING_PREFIX + ProcessHandle.current().pid()));
                return new ResultsDirectory(d, channel, lock, staging);
            } catch (IOException | RuntimeException e) {
                lock.release();
                channel.close();
                throw e;
            }
        } catch (IOException e) {
            throw new OutputException("cannot use " + d + " for results: " + describe(e), e);
        }
    }

    /** The published directory. */
    public Path dir() {
        return dir;
    }

    /** The staging directory: laid out as the published one will be once this run publishes. */
    public Path stagingRoot() {
        return staging;
    }

    /** Where this run writes {@code name} before it is published. */
    public Path staged(String name) {
        return staging.resolve(name);
    }

    /** Where the published {@code name} is (the previous run's, until this run publishes its own). */
    public Path published(String name) {
        return dir.resolve(name);
    }

    /**
     * Moves each staged entry into place: the published one is first renamed aside, then the staged one
     * renamed in, then the old one deleted. Entries this run did not stage are left as they are.
     */
    public void publish(List<String> names) {
        for (String name : names) {
            Path staged = staged(name);
            if (!Files.exists(staged, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            Path target = dir.resolve(name);
            Path previous = dir.resolve(name + PREVIOUS_SUFFIX);
            try {
                FileTrees.delete(previous);
                if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                    Files.move(target, previous, StandardCopyOption.ATOMIC_MOVE);
                }
                Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
                FileTrees.delete(previous);
            } catch (IOException e) {
                throw new OutputException("cannot publish " + target + ": " + describe(e), e);
            }
        }
    }

    /** Releases the lock and removes what was staged and not published. */
    @Override
    public void close() {
        try {
            FileTrees.delete(staging);
        } catch (IOException e) {
            // a staging directory left behind is removed by the next run's recovery
        } finally {
            try {
                lock.release();
                lockChannel.close();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot release " + dir.resolve(LOCK), e);
            }
        }
    }

    /**
     * Puts back what a run killed while publishing left aside ({@code NAME.previous} without {@code NAME}),
     * and removes the staging directories of runs that did not finish.
     */
    private static void recover(Path d) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(d)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.startsWith(STAGING_PREFIX)) {
                    FileTrees.delete(entry);
                } else if (name.endsWith(PREVIOUS_SUFFIX)) {
                    Path original = d.resolve(name.substring(0, name.length() - PREVIOUS_SUFFIX.length()));
                    if (Files.exists(original, LinkOption.NOFOLLOW_LINKS)) {
                        FileTrees.delete(entry);
                    } else {
                        Files.move(entry, original, StandardCopyOption.ATOMIC_MOVE);
                    }
                }
            }
        }
    }

    private static boolean isEmpty(Path d) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(d)) {
            return !entries.iterator().hasNext();
        }
    }

    private static String describe(IOException e) {
        String what = e.getClass().getSimpleName().replace("Exception", "");
        return e.getMessage() == null ? what : what.isEmpty() || what.equals("IO") ? e.getMessage() : what + ": " + e.getMessage();
    }
}
