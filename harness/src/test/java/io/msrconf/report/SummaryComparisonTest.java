package io.msrconf.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.msrconf.pipeline.RunSummary.CaseEntry;
import io.msrconf.pipeline.RunSummary.Status;
import io.msrconf.pipeline.RunSummary;
import io.msrconf.report.SummaryComparison.Change;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SummaryComparisonTest {

    private static final Map<String, String> ENV = Map.of("kernel.release", "6.18.44", "kvm.module", "kvm_pvm",
            "cpu.model", "Example CPU");

    private static final List<CaseEntry> CASES = List.of(
            passed("ranges.a", "kvm", "step 1 set-filter: 0", "step 2 access 1 RDMSR(0x174): #GP"),
            passed("ranges.a", "emulator", "step 1 set-filter: 0", "step 2 access 1 RDMSR(0x174): #GP"),
            passed("ranges.b", "kvm", "step 1 set-filter: 0", "step 2 access 1 WRMSR(0x174): ok"),
            passed("x2apic.c", "kvm", "step 1 run: value 0x14"));

    @Test
    void oneCaseMadeToFailIsExactlyOneRegression() {
        List<CaseEntry> after = new ArrayList<>(CASES);
        after.set(0, new CaseEntry("ranges.a", "kvm", Status.FAILED, "title", "cites",
                "step 2 access 1: Expected #GP on RDMSR(0x174), got: it completed with value 0x0", List.of("ACCESS_OUTCOME"),
                List.of("step 1 set-filter: 0", "step 2 access 1 RDMSR(0x174): value 0x0")));
        SummaryComparison c = SummaryComparison.compare(new RunSummary(ENV, CASES),
                new RunSummary(Map.of("kernel.release", "6.19.0-rc1", "kvm.module", "kvm_pvm", "cpu.model", "Example CPU"), after));

        assertThat(c.changes()).extracting(SummaryComparison.CaseChange::key, SummaryComparison.CaseChange::change)
                .containsExactly(tuple("ranges.a [kvm]", Change.REGRESSED));
        assertThat(c.regressed()).isTrue();
        assertThat(c.report()).isEqualTo("""
                environment     before   after
                kernel.release  6.18.44  6.19.0-rc1
                (2 other keys identical)

                1 case changed: 1 regressed

                REGRESSED ranges.a [kvm]: PASSED -> FAILED
                    observation line 2 differs:
                      before: step 2 access 1 RDMSR(0x174): #GP
                      after:  step 2 access 1 RDMSR(0x174): value 0x0
                    message: step 2 access 1: Expected #GP on RDMSR(0x174), got: it completed with value 0x0
                """);
    }

    @Test
    void aMissingCaseOrANewSpecErrorFailsTheComparisonWithoutARegression() {
        List<CaseEntry> fewer = new ArrayList<>(CASES);
        fewer.remove(3);
        SummaryComparison missing = SummaryComparison.compare(new RunSummary(ENV, CASES), new RunSummary(ENV, fewer));
        assertThat(missing.regressed()).isFalse();
        assertThat(missing.failed()).as("a case of BEFORE is missing from AFTER").isTrue();

        List<CaseEntry> withError = new ArrayList<>(CASES);
        withError.add(new CaseEntry("input-error:1", "-", Status.FAILED, "malformed input", "",
                "malformed spec: specs/x.yaml:3: cases[0].id: expected a string", List.of(), List.of()));
        SummaryComparison newError = SummaryComparison.compare(new RunSummary(ENV, CASES), new RunSummary(ENV, withError));
        assertThat(newError.changes()).extracting(SummaryComparison.CaseChange::change).containsExactly(Change.NEW_INPUT_ERROR);
        assertThat(newError.failed()).isTrue();
        // the same error in both runs, numbered differently, is no change
        List<CaseEntry> renumbered = new ArrayList<>(CASES);
        renumbered.add(new CaseEntry("input-error:7", "-", Status.FAILED, "malformed input", "",
                "malformed spec: specs/x.yaml:3: cases[0].id: expected a string", List.of(), List.of()));
        assertThat(SummaryComparison.compare(new RunSummary(ENV, withError), new RunSummary(ENV, renumbered)).changes()).isEmpty();
        // and one that went away does not fail a gate
        assertThat(SummaryComparison.compare(new RunSummary(ENV, withError), new RunSummary(ENV, CASES)).failed()).isFalse();
    }

    @Test
    void anObservationOnlyChangeIsNoRegression() {
        List<CaseEntry> after = new ArrayList<>(CASES);
        after.set(3, passed("x2apic.c", "kvm", "step 1 run: value 0x15"));
        SummaryComparison c = SummaryComparison.compare(new RunSummary(ENV, CASES), new RunSummary(ENV, after));

        assertThat(c.changes()).singleElement().satisfies(ch -> {
            assertThat(ch.key()).isEqualTo("x2apic.c [kvm]");
            assertThat(ch.change()).isEqualTo(Change.OBSERVATION_CHANGED);
        });
        assertThat(c.regressed()).isFalse();
        assertThat(c.report()).contains("""
                OBSERVATION_CHANGED x2apic.c [kvm]: PASSED -> PASSED
                    observation line 1 differs:
                      before: step 1 run: value 0x14
                      after:  step 1 run: value 0x15
                """);
    }

    @Test
    void addedRemovedFixedAndOtherStatusChangesRegressionsFirst() {
        List<CaseEntry> before = new ArrayList<>(CASES);
        before.set(2, new CaseEntry("ranges.b", "kvm", Status.FAILED, "t", "c", "broken", List.of(), List.of("x")));
        List<CaseEntry> after = new ArrayList<>(CASES);
        after.set(0, new CaseEntry("ranges.a", "kvm", Status.KNOWN_DEVIATION, "t", "c", "known kernel deviation: e",
                List.of(), CASES.get(0).observation()));
        after.set(1, new CaseEntry("ranges.a", "emulator", Status.DEVIATION_NOT_REPRODUCED, "t", "c",
                "known deviation no longer reproduces", List.of(), CASES.get(1).observation()));
        after.remove(3);
        after.add(passed("x2apic.new", "kvm", "step 1 run: ok"));
        SummaryComparison c = SummaryComparison.compare(new RunSummary(ENV, before), new RunSummary(ENV, after));

        assertThat(c.changes()).extracting(ch -> ch.change() + " " + ch.key()).containsExactly(
                "REGRESSED ranges.a [emulator]",
                "REMOVED x2apic.c [kvm]",
                "FIXED ranges.b [kvm]",
                "STATUS_CHANGED ranges.a [kvm]",
                "ADDED x2apic.new [kvm]");
        assertThat(c.regressed()).isTrue();
        assertThat(c.failed()).isTrue();
        String report = c.report();
        assertThat(report).contains("5 cases changed: 1 regressed, 1 removed, 1 fixed, 1 status changed, 1 added")
                .contains("ADDED x2apic.new [kvm]: (absent) -> PASSED\n")
                .contains("REMOVED x2apic.c [kvm]: PASSED -> (absent)\n")
                .contains("STATUS_CHANGED ranges.a [kvm]: PASSED -> KNOWN_DEVIATION\n    message: known kernel deviation: e\n");
        assertThat(report.indexOf("REGRESSED")).isLessThan(report.indexOf("FIXED"));
    }

    @Test
    void identicalRunsChangeNothingAndShowTheKernelAnyway() {
        SummaryComparison c = SummaryComparison.compare(new RunSummary(ENV, CASES), new RunSummary(ENV, CASES));
        assertThat(c.changes()).isEmpty();
        assertThat(c.regressed()).isFalse();
        assertThat(c.report()).isEqualTo("""
                environment     before   after
                kernel.release  6.18.44  6.18.44
                (2 other keys identical)

                no case changed (4 compared)
                """);
    }

    @Test
    void environmentShowsOnlyDifferingKeysAndAbsentOnes() {
        SummaryComparison c = SummaryComparison.compare(new RunSummary(ENV, List.of()),
                new RunSummary(Map.of("kernel.release", "6.18.44", "kvm.module", "kvm_intel", "java.version", "21"), List.of()));
        assertThat(c.report()).startsWith("""
                environment     before       after
                cpu.model       Example CPU  (absent)
                java.version    (absent)     21
                kernel.release  6.18.44      6.18.44
                kvm.module      kvm_pvm      kvm_intel
                """);
    }

    private static CaseEntry passed(String id, String backend, String... observation) {
        return new CaseEntry(id, backend, Status.PASSED, "title", "cites", "", List.of(), List.of(observation));
    }
}
