package io.msrconf.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run's outputs are staged and published whole; what is there before survives a run that dies half-way. */
class ResultsDirectoryTest {

    @TempDir
    Path tmp;

    @Test
    void stagedOutputsReplaceThePublishedOnesOnlyWhenPublished() throws IOException {
        Path out = tmp.resolve("out");
        try (ResultsDirectory d = ResultsDirectory.open(out)) {
            Files.writeString(d.staged("summary.json"), "first");
            Files.createDirectories(d.staged("html").resolve("history"));
            d.publish(List.of("summary.json", "html"));
        }
        assertThat(out.resolve("summary.json")).hasContent("first");
        try (ResultsDirectory d = ResultsDirectory.open(out)) {
            Files.writeString(d.staged("summary.json"), "second");
            assertThat(out.resolve("summary.json")).as("before publishing").hasContent("first");
            // this run stages no html: the published one stays
            d.publish(List.of("summary.json", "html"));
        }
        assertThat(out.resolve("summary.json")).hasContent("second");
        assertThat(out.resolve("html/history")).isDirectory();
        try (var entries = Files.list(out)) {
            assertThat(entries.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(
                    "summary.json", "html", ResultsDirectory.MARKER, ResultsDirectory.LOCK);
        }
    }

    @Test
    void aRunKilledWhilePublishingIsRepairedByTheNext() throws IOException {
        Path out = tmp.resolve("out");
        try (ResultsDirectory d = ResultsDirectory.open(out)) {
            Files.createDirectories(d.staged("html"));
            Files.writeString(d.staged("html").resolve("index.html"), "old report");
            d.publish(List.of("html"));
        }
        // as a run killed between its two renames leaves it: the old report aside, no new one in place
        Files.move(out.resolve("html"), out.resolve("html.previous"));
        Files.createDirectories(out.resolve(".staging-999999"));
        try (ResultsDirectory d = ResultsDirectory.open(out)) {
            assertThat(out.resolve("html/index.html")).hasContent("old report");
            assertThat(out.resolve("html.previous")).doesNotExist();
            assertThat(out.resolve(".staging-999999")).doesNotExist();
        }
    }

    @Test
    void oneRunAtATime() {
        Path out = tmp.resolve("out");
        try (ResultsDirectory first = ResultsDirectory.open(out)) {
            assertThatThrownBy(() -> ResultsDirectory.open(out)).isInstanceOf(ResultsDirectory.OutputException.class)
                    .hasMessageContaining("another msrconf run is writing to " + out);
        }
        ResultsDirectory.open(out).close();
    }

    @Test
    void anUnwritableDirectoryIsOneClearError() throws IOException {
        Path locked = Files.createDirectory(tmp.resolve("locked"));
        locked.toFile().setWritable(false);
        try {
            if (Files.isWritable(locked)) {
                return;   // root ignores the permission; the other tests cover the message shape
            }
            assertThatThrownBy(() -> ResultsDirectory.open(locked.resolve("out"))).isInstanceOf(ResultsDirectory.OutputException.class)
                    .hasMessageStartingWith("cannot use " + locked.resolve("out") + " for results: ");
        } finally {
            locked.toFile().setWritable(true);
        }
    }
}
