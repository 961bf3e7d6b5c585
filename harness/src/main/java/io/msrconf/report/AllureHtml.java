package io.msrconf.report;

import io.msrconf.util.ChildProcesses;
import io.msrconf.util.FileTrees;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.security.CodeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Turns a directory of Allure 2 results into the HTML reports a kernel developer reads: a
 * multi-file report, kept between runs so Allure can show trends and new failures, and a single
 * self-contained {@code index.html} to attach to a bug report.
 *
 * <p>It runs allure-commandline from Maven Central's zip (self-contained, offline): allure-maven's report goal cannot
 * resolve its generator here, and allure-maven 3.x downloads Node. Allure generates the multi-file report, once, in a
 * JVM of its own started from a class-data-sharing archive ({@link ReportJvmArchive}); the single file is made from
 * that report here ({@link SingleFileReport}), not by a second generation.
 */
public final class AllureHtml {

    /** allure-commandline's version: equal to {@code allure-commandline.version} in the parent pom (a test checks). */
    public static final String VERSION = "2.34.1";

    /** For the report JVM; a few hundred cases take a few seconds. */
    static final Duration TIMEOUT = Duration.ofSeconds(120);

    /** The launcher inside an unpacked zip (the zip's single top-level directory is allure-VERSION). */
    private static final Path LAUNCHER = Path.of("allure-" + VERSION, "bin", "allure");

    /** Where the harness build unpacks the zip, relative to the module's target directory. */
    private static final Path UNPACKED = Path.of("allure-commandline");

    private static final int OUTPUT_TAIL_CHARS = 8000;

    /** The two reports' entry points: the multi-file report's and the single file. */
    public record Generated(Path index, Path singleFileIndex) {}

    /**
     * allure-commandline is missing, failed or timed out; {@link #output()} is what it printed.
     * Unchecked, like the other errors here: a run's verdicts stand without the HTML report.
     */
    public static final class Failure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final String output;

        Failure(String message, String output) {
            super(output.isEmpty() ? message : message + "\n--- allure output ---\n" + output);
            this.output = output;
        }

        public String output() {
            return output;
        }
    }

    private AllureHtml() {}

    /**
     * The {@code allure} launcher: the one {@code mvn package} unpacks into
     * {@code harness/target/allure-commandline} (looked up from the working directory and from
     * where this class was loaded), else the zip in the local Maven repository, unpacked once into
     * a cache directory.
     *
     * @throws Failure if neither exists
     * @throws UncheckedIOException if unpacking fails
     */
    public static Path locateCommandline() {
        try {
            return locate();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare allure-commandline " + VERSION + ": " + e.getMessage(), e);
        }
    }

    private static Path locate() throws IOException {
        List<Path> candidates = new ArrayList<>();
        candidates.add(Path.of("harness", "target").resolve(UNPACKED).resolve(LAUNCHER).toAbsolutePath());
        harnessTargetDir().map(target -> target.resolve(UNPACKED).resolve(LAUNCHER))
                .filter(launcher -> !candidates.contains(launcher))
                .ifPresent(candidates::add);
        for (Path launcher : candidates) {
            if (Files.isRegularFile(launcher)) {
                return executable(launcher);
            }
        }
        Path zip = mavenRepositoryZip();
        if (Files.isRegularFile(zip)) {
            return executable(unpackOnce(zip, cacheDir()).resolve(LAUNCHER));
        }
        throw new Failure("allure-commandline " + VERSION + " not found: neither " + candidates + " nor " + zip
                + " exists. Run `mvn package` in the repository root: it downloads the zip and unpacks it"
                + " into harness/target/allure-commandline.", "");
    }

    /**
     * Generates the multi-file report into {@code htmlDir} and the single-file report into
     * {@code singleFileDir} (both are emptied first). The previous report's history in
     * {@code previousHistory} (a published report's {@code history} directory, if there is one) is
     * copied into {@code resultsDir/history} first: that is where Allure 2 reads the trends and the
     * new/flaky markers from. The previous report itself is never touched.
     *
     * @throws Failure if allure-commandline is missing or fails (with its output)
     * @throws IllegalArgumentException if an output directory would delete the results or the other report
     * @throws UncheckedIOException if the history cannot be copied
     */
    public static Generated generate(Path resultsDir, Path htmlDir, Path singleFileDir, Path previousHistory) {
        resultsDir = resultsDir.toAbsolutePath().normalize();
        htmlDir = htmlDir.toAbsolutePath().normalize();
        singleFileDir = singleFileDir.toAbsolutePath().normalize();
        if (!Files.isDirectory(resultsDir)) {
            throw new Failure("no Allure results directory at " + resultsDir, "");
        }
        // --clean deletes the output directory: it must hold neither the results nor the other report
        for (Path out : List.of(htmlDir, singleFileDir)) {
            if (resultsDir.startsWith(out)) {
                throw new IllegalArgumentException("report directory " + out + " would delete the results in " + resultsDir);
            }
        }
        if (htmlDir.startsWith(singleFileDir) || singleFileDir.startsWith(htmlDir)) {
            throw new IllegalArgumentException("the two reports need separate directories: " + htmlDir + ", " + singleFileDir);
        }
        Path allure = locateCommandline();
        Path home = allure.getParent().getParent();
        try {
            carryHistory(previousHistory, resultsDir.resolve("history"));
            ReportJvmArchive archive = ReportJvmArchive.forAllure(home);
            List<String> command = new ArrayList<>(List.of(javaLauncher().toString(),
                    "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
            command.addAll(archive.jvmOptions());
            command.addAll(List.of("-cp", home.resolve("lib") + "/*" + java.io.File.pathSeparator + home.resolve("lib").resolve("config"),
                    "io.qameta.allure.CommandLine", "generate", "--clean", "-o", htmlDir.toString(), resultsDir.toString()));
            try {
                run(command, home);
                archive.keep();
            } finally {
                archive.discardUnkept();
            }
            makeSingleFile(htmlDir, singleFileDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot generate the Allure report from " + resultsDir + ": " + e.getMessage(), e);
        }
        Generated generated = new Generated(htmlDir.resolve("index.html"), singleFileDir.resolve("index.html"));
        for (Path index : List.of(generated.index(), generated.singleFileIndex())) {
            if (!Files.isRegularFile(index)) {
                throw new Failure("allure generate succeeded but wrote no " + index, "");
            }
        }
        return generated;
    }

    /** The single file from the multi-file report; failing, it is a {@link Failure} as Allure's own are: the run stands. */
    private static void makeSingleFile(Path htmlDir, Path singleFileDir) {
        try {
            SingleFileReport.write(htmlDir, singleFileDir);
        } catch (IOException e) {
            throw new Failure("the single-file report could not be made from " + htmlDir + ": " + e.getMessage(), "");
        }
    }

    private static void carryHistory(Path previous, Path into) throws IOException {
        if (!Files.isDirectory(previous)) {
            return;
        }
        Files.createDirectories(into);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(previous, Files::isRegularFile)) {
            for (Path file : files) {
                Files.copy(file, into.resolve(file.getFileName().toString()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /** This JVM's own java launcher: the one running us, not whatever `java` is on PATH. */
    private static Path javaLauncher() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    /** Runs the report JVM for allure-commandline at {@code home}, which it reads its configuration and plugins from. */
    private static void run(List<String> command, Path home) throws IOException {
        Path log = Files.createTempFile("msrconf-allure-", ".log");
        try {
            // output goes to a file, so a chatty tool cannot block on a full pipe nobody reads
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            // no Google Analytics call at generation time and no tracking script in the report
            builder.environment().put("ALLURE_NO_ANALYTICS", "true");
            // what allure-commandline's launcher sets: without it, Allure loads none of its plugins (no Behaviors tab)
            builder.environment().put("APP_HOME", home.toString());
            Process process = ChildProcesses.start(builder);
            try {
                if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    kill(process);
                    throw new Failure("`" + String.join(" ", command) + "` timed out after "
                            + TIMEOUT.toSeconds() + " s and was killed", tail(log));
                }
                if (process.exitValue() != 0) {
                    throw new Failure("`" + String.join(" ", command) + "` exited with status "
                            + process.exitValue(), tail(log));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Failure("interrupted while running `" + String.join(" ", command) + "`", tail(log));
            } finally {
                if (process.isAlive()) {
                    kill(process);
                }
            }
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static void kill(Process process) {
        ChildProcesses.kill(process);
    }

    private static String tail(Path log) throws IOException {
        String output = Files.readString(log, StandardCharsets.UTF_8).strip();
        return output.length() <= OUTPUT_TAIL_CHARS ? output
                : "[...]" + output.substring(output.length() - OUTPUT_TAIL_CHARS);
    }

    /** harness/target when this class runs from target/classes or target/msrconf-harness.jar. */
    private static Optional<Path> harnessTargetDir() {
        CodeSource source = AllureHtml.class.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            return Optional.empty();
        }
        try {
            Path location = Path.of(source.getLocation().toURI());
            return Optional.ofNullable(location.getParent());
        } catch (URISyntaxException | IllegalArgumentException | FileSystemNotFoundException e) {
            return Optional.empty();
        }
    }

    static Path mavenRepositoryZip() {
        return Path.of(System.getProperty("user.home"), ".m2", "repository", "io", "qameta", "allure",
                "allure-commandline", VERSION, "allure-commandline-" + VERSION + ".zip");
    }

    private static Path cacheDir() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("msrconf").resolve("allure-commandline-" + VERSION);
    }

    /**
     * Unpacks the zip into {@code dir} unless an earlier call did. It unpacks into a sibling and
     * renames, so {@code dir} exists only complete, also when two runs race.
     */
    static Path unpackOnce(Path zip, Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return dir;
        }
        Files.createDirectories(dir.getParent());
        Path staging = Files.createTempDirectory(dir.getParent(), dir.getFileName() + ".partial-");
        try {
            unzip(zip, staging);
            try {
                Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException raced) {
                // another run finished first; its copy is as good as ours
            }
        } finally {
            FileTrees.delete(staging);
        }
        return dir;
    }

    private static void unzip(Path zip, Path into) throws IOException {
        try (InputStream in = Files.newInputStream(zip); ZipInputStream entries = new ZipInputStream(in)) {
            for (ZipEntry entry; (entry = entries.getNextEntry()) != null; ) {
                Path target = into.resolve(entry.getName()).normalize();
                if (!target.startsWith(into)) {
                    throw new IOException(zip + ": entry " + entry.getName() + " points outside the archive");
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(entries, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /** java.util.zip drops the Unix modes, and an unpacker may too: the launcher must be executable. */
    private static Path executable(Path launcher) throws IOException {
        if (!Files.isExecutable(launcher)) {
            Set<PosixFilePermission> permissions = new HashSet<>(Files.getPosixFilePermissions(launcher));
            permissions.addAll(Set.of(PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_EXECUTE,
                    PosixFilePermission.OTHERS_EXECUTE));
            Files.setPosixFilePermissions(launcher, permissions);
        }
        return launcher;
    }
}
