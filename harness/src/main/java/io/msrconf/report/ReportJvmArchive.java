package io.msrconf.report;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A class-data-sharing archive (JDK's AppCDS) of the report JVM's classes: the JVM that runs allure-commandline
 * loads some 4,700 classes from 50 jars at each start, most of its start-up. The first report writes the archive as
 * that JVM exits ({@code -XX:ArchiveClassesAtExit}); every later one maps it ({@code -XX:SharedArchiveFile}).
 *
 * <p>The archive lives beside allure-commandline's lib/ and is named after what it depends on: this JVM's version
 * and the name, size and modification time of every jar. A JVM update or a re-unpacked allure-commandline makes a
 * new name, so a stale archive is never offered (the JVM would ignore it, but the report would then never get a
 * fresh one); the stale one is deleted when its successor is kept. The archive is only an optimisation: nothing here
 * fails a report. A JVM that cannot read an archive runs without it ({@code -Xshare:auto}, the default).
 */
final class ReportJvmArchive {

    private static final String PREFIX = "report-jvm-";
    private static final String SUFFIX = ".jsa";

    /** The archive to map, or to write when {@link #writing} is set. Null: no archive (lib/ unreadable, say). */
    private final Path archive;
    /** Where this report's JVM writes a new archive; kept under {@link #archive}'s name only if the report succeeded. */
    private final Path writing;

    private ReportJvmArchive(Path archive, Path writing) {
        this.archive = archive;
        this.writing = writing;
    }

    /** The archive for allure-commandline at {@code home} run by this JVM's own java. */
    static ReportJvmArchive forAllure(Path home) {
        try {
            Path archive = home.resolve(PREFIX + stamp(home.resolve("lib")) + SUFFIX);
            if (Files.isRegularFile(archive)) {
                return new ReportJvmArchive(archive, null);
            }
            if (!baseArchiveMapped()) {
                // a JVM without the JDK's base archive refuses to start when asked to write one on top of it
                return new ReportJvmArchive(null, null);
            }
            // a name of its own: two reports at once each write theirs, and the last one kept wins
            return new ReportJvmArchive(archive, Files.createTempFile(home, PREFIX, ".partial"));
        } catch (IOException | NoSuchAlgorithmException | SecurityException e) {
            return new ReportJvmArchive(null, null);
        }
    }

    /** The report JVM's options for the archive: map it, write it at exit, or nothing. */
    List<String> jvmOptions() {
        if (archive == null) {
            return List.of();
        }
        return List.of(writing != null ? "-XX:ArchiveClassesAtExit=" + writing : "-XX:SharedArchiveFile=" + archive);
    }

    /** The report succeeded: a newly written archive replaces the earlier ones. */
    void keep() {
        if (writing == null) {
            return;
        }
        try {
            if (Files.size(writing) == 0) {
                return;   // the JVM wrote none (it cannot archive, or said why in its output)
            }
            Files.move(writing, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            try (DirectoryStream<Path> old = Files.newDirectoryStream(archive.getParent(), PREFIX + "*" + SUFFIX)) {
                for (Path p : old) {
                    if (!p.equals(archive)) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        } catch (IOException e) {
            // the next report tries again
        }
    }

    /** Deletes a written archive that was not kept (the report failed or the JVM was killed). */
    void discardUnkept() {
        if (writing != null) {
            try {
                Files.deleteIfExists(writing);
            } catch (IOException e) {
                // a leftover .partial file costs disk space, not correctness
            }
        }
    }

    /**
     * Whether this JVM maps the JDK's base class-data archive: the report JVM is the same java, so it has the base
     * archive a dynamic one is written on top of. (A JDK built without one, or {@code -Xshare:off}, has not.)
     */
    private static boolean baseArchiveMapped() {
        try {
            return ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                    .getVMOption("UseSharedSpaces").getValue().equals("true");
        } catch (RuntimeException notHotSpot) {
            return false;
        }
    }

    /** What an archive depends on: the JVM's version and every jar's name, size and modification time. */
    private static String stamp(Path lib) throws IOException, NoSuchAlgorithmException {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        digest.update((System.getProperty("java.vm.vendor") + " " + System.getProperty("java.vm.version") + "\n")
                .getBytes(StandardCharsets.UTF_8));
        List<Path> jars;
        try (var listing = Files.list(lib)) {
            jars = listing.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList();
        }
        for (Path jar : jars) {
            digest.update((jar.getFileName() + " " + Files.size(jar) + " " + Files.getLastModifiedTime(jar).toMillis() + "\n")
                    .getBytes(StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(digest.digest(), 0, 8);
    }
}
