package io.msrconf.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.msrconf.pipeline.RunSummary;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SummaryJsonTest {

    static final RunSummary SUMMARY = new RunSummary(
            Map.of("kernel.release", "6.18.44-fc", "kvm.module", "kvm_pvm", "cpu.model", "Example CPU @ 2.0GHz"),
            List.of(new RunSummary.CaseEntry("ranges.read-only-range-denies-reads-only", "kvm", RunSummary.Status.FAILED,
                            "A READ-only range denies RDMSR", "Documentation/virt/kvm/api.rst, \"quoted\"",
                            "step 2 access 1: Expected #GP on RDMSR(0x174),\ngot: it completed with value 0x0",
                            List.of("ACCESS_OUTCOME"), List.of("step 1 set-filter: 0", "step 2 access 1 RDMSR(0x174): value 0x0")),
                    new RunSummary.CaseEntry("x2apic.tpr", "emulator", RunSummary.Status.SKIPPED, "TPR", "SDM", "not modelled",
                            List.of(), List.of()),
                    new RunSummary.CaseEntry("ranges.b", "kvm", RunSummary.Status.KNOWN_DEVIATION, "t", "c", "known: ü ✓",
                            List.of(), List.of("step 1 run: ok"))));

    @TempDir
    Path dir;

    @Test
    void roundTripsEveryFieldAndCreatesParentDirectories() throws Exception {
        Path file = dir.resolve("a/b/summary.json");
        SummaryJson.write(SUMMARY, file);
        assertThat(SummaryJson.read(file)).isEqualTo(SUMMARY);
        String json = Files.readString(file);
        assertThat(json).startsWith("{\n  \"format\" : \"msrconf-summary/1\",\n").endsWith("}\n");
        // Environment keys sorted, so two summaries diff line by line.
        assertThat(json.indexOf("cpu.model")).isLessThan(json.indexOf("kernel.release"));
    }

    @Test
    void refusesWhatIsNotJson() {
        Path file = resource("summary-not-json.json");
        assertThatThrownBy(() -> SummaryJson.read(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(file + ": not JSON: ")
                .hasMessageContaining("line 1");
    }

    @Test
    void refusesAnotherFormatVersion() {
        Path file = resource("summary-wrong-format.json");
        assertThatThrownBy(() -> SummaryJson.read(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(file + ": not a valid msrconf run summary: format: unsupported format \"msrconf-summary/2\";"
                        + " this msrconf reads \"msrconf-summary/1\"");
    }

    @Test
    void refusesJsonWithoutTheFormatField() throws Exception {
        Path file = Files.writeString(dir.resolve("other.json"), "{\"cases\": []}");
        assertThatThrownBy(() -> SummaryJson.read(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(file + ": not a valid msrconf run summary: format: missing: not an msrconf run summary"
                        + " (expected \"format\": \"msrconf-summary/1\")");
    }

    @Test
    void namesAMissingField() {
        Path file = resource("summary-missing-field.json");
        assertThatThrownBy(() -> SummaryJson.read(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(file + ": not a valid msrconf run summary: cases[0].message: missing");
    }

    @Test
    void namesAnUnknownStatus() {
        Path file = resource("summary-unknown-status.json");
        assertThatThrownBy(() -> SummaryJson.read(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(file + ": not a valid msrconf run summary: cases[0].status: unknown status \"EXPLODED\""
                        + " (known: PASSED, FAILED, SKIPPED, KNOWN_DEVIATION, DEVIATION_NOT_REPRODUCED)");
    }

    @Test
    void namesAFieldOfTheWrongType() throws Exception {
        Path file = dir.resolve("s.json");
        SummaryJson.write(SUMMARY, file);
        Files.writeString(file, Files.readString(file).replace("\"ACCESS_OUTCOME\"", "42"));
        assertThatThrownBy(() -> SummaryJson.read(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(file + ": not a valid msrconf run summary: cases[0].mismatchKinds[0]: expected a string, got number");
    }

    @Test
    void refusesTheSameCaseTwice() throws Exception {
        Path file = dir.resolve("s.json");
        SummaryJson.write(new RunSummary(Map.of(), List.of(SUMMARY.cases().get(0), SUMMARY.cases().get(0))), file);
        assertThatThrownBy(() -> SummaryJson.read(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageEndingWith("cases[1]: duplicate case ranges.read-only-range-denies-reads-only [kvm] (first at cases[0])");
    }

    @Test
    void aMissingFileIsAnIoErrorNamingIt() {
        Path file = dir.resolve("absent.json");
        assertThatThrownBy(() -> SummaryJson.read(file)).isInstanceOf(UncheckedIOException.class)
                .hasMessageStartingWith("cannot read " + file + ": ");
    }

    static Path resource(String name) {
        return Path.of("src/test/resources/report", name);
    }
}
