package io.msrconf.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report JVM's class archive: written by the first report, mapped by the later ones, kept only when the report
 * succeeded, and made anew (the stale one deleted) when allure-commandline's jars change.
 */
class ReportJvmArchiveTest {

    @TempDir
    Path home;

    @org.junit.jupiter.api.BeforeEach
    void aJvmThatCanWriteAnArchive() {
        org.junit.jupiter.api.Assumptions.assumeTrue(java.lang.management.ManagementFactory
                        .getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class).getVMOption("UseSharedSpaces").getValue().equals("true"),
                "this JVM maps no base class-data archive (-Xshare:off, or a JDK built without one): it offers no archive to write");
    }

    @Test
    void theFirstReportWritesTheArchiveAndTheNextOnesMapIt() throws IOException {
        Path jar = jar("allure-generator-2.34.1.jar");

        ReportJvmArchive first = ReportJvmArchive.forAllure(home);
        String writing = option(first, "-XX:ArchiveClassesAtExit=");
        Files.writeString(Path.of(writing), "an archive");   // what the report JVM writes as it exits
        first.keep();
        first.discardUnkept();

        ReportJvmArchive second = ReportJvmArchive.forAllure(home);
        Path archive = Path.of(option(second, "-XX:SharedArchiveFile="));
        assertThat(archive).hasContent("an archive").hasParent(home);
        assertThat(archives()).containsExactly(archive);

        // allure-commandline unpacked anew: the old archive no longer matches its jars
        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 60_000));
        ReportJvmArchive third = ReportJvmArchive.forAllure(home);
        Files.writeString(Path.of(option(third, "-XX:ArchiveClassesAtExit=")), "a newer archive");
        third.keep();
        assertThat(archives()).hasSize(1).doesNotContain(archive);
        assertThat(archives().get(0)).hasContent("a newer archive");
    }

    @Test
    void aFailedReportKeepsNothing() throws IOException {
        jar("allure-generator-2.34.1.jar");
        ReportJvmArchive failed = ReportJvmArchive.forAllure(home);
        Files.writeString(Path.of(option(failed, "-XX:ArchiveClassesAtExit=")), "half an archive");

        failed.discardUnkept();

        assertThat(archives()).isEmpty();
        try (Stream<Path> left = Files.list(home)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactly("lib");
        }
        assertThat(option(ReportJvmArchive.forAllure(home), "-XX:")).startsWith("ArchiveClassesAtExit=");
    }

    @Test
    void aJvmThatWroteNoArchiveLeavesNoneToMap() throws IOException {
        jar("allure-generator-2.34.1.jar");
        ReportJvmArchive first = ReportJvmArchive.forAllure(home);
        first.keep();   // the JVM could not archive: its file stayed empty
        first.discardUnkept();

        assertThat(archives()).isEmpty();
        assertThat(option(ReportJvmArchive.forAllure(home), "-XX:")).startsWith("ArchiveClassesAtExit=");
    }

    @Test
    void withoutAReadableLibThereIsNoArchive() {
        assertThat(ReportJvmArchive.forAllure(home.resolve("missing")).jvmOptions()).isEmpty();
    }

    private Path jar(String name) throws IOException {
        return Files.writeString(Files.createDirectories(home.resolve("lib")).resolve(name), "classes");
    }

    private List<Path> archives() throws IOException {
        try (Stream<Path> files = Files.list(home)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".jsa")).toList();
        }
    }

    private static String option(ReportJvmArchive archive, String prefix) {
        List<String> options = archive.jvmOptions();
        assertThat(options).hasSize(1);
        assertThat(options.get(0)).startsWith(prefix);
        return options.get(0).substring(prefix.length());
    }
}
