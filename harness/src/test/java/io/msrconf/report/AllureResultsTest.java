package io.msrconf.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.msrconf.backend.AccessOutcome;
import io.msrconf.backend.Observation;
import io.msrconf.backend.RunEnd;
import io.msrconf.backend.StepOutcome;
import io.msrconf.filter.FilterRange;
import io.msrconf.filter.MsrFilter;
import io.msrconf.guest.GuestResult;
import io.msrconf.pipeline.RunSummary;
import io.msrconf.pipeline.TestResult;
import io.msrconf.spec.Access;
import io.msrconf.spec.Case;
import io.msrconf.spec.Citation;
import io.msrconf.spec.GuestExpectation;
import io.msrconf.spec.KernelRange;
import io.msrconf.spec.MsrOp;
import io.msrconf.spec.SourceRef;
import io.msrconf.spec.Step;
import io.msrconf.spec.VcpuSetup;
import io.msrconf.verdict.Verdict;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What each test of a run becomes in the Allure results: its description, its attachments and their files. */
class AllureResultsTest {

    private static final SourceRef AT = new SourceRef(Path.of("specs/t.yaml"), 3);
    private static final Case DENY_174 = new Case("ranges.deny-174", "ranges", "RDMSR of a denied MSR gets #GP",
            Citation.note("api.rst"), KernelRange.DEFAULT, VcpuSetup.DEFAULT, List.of(
                    new Step.SetFilter(new MsrFilter(MsrFilter.DEFAULT_ALLOW,
                            List.of(FilterRange.allowing(MsrFilter.RANGE_READ, 0x174, 1))), 0, AT),
                    new Step.RunGuest(List.of(new Access(MsrOp.RDMSR, 0x174, 0, null,
                            new GuestExpectation.Faults(GuestExpectation.Faults.GP), AT)), AT)), AT);

    private static final io.msrconf.pipeline.TargetInfo TARGET = new io.msrconf.pipeline.TargetInfo("6.1.0-50-amd64", List.of("kvm_amd"), "cpu");

    @Test
    void theSameTextOnTwoBackendsIsOneFileAndTheScriptIsTheDescription(@TempDir Path dir) throws IOException {
        Observation faulted = new Observation("kvm", List.of(new StepOutcome.FilterSet(0), new StepOutcome.GuestRan(List.of(
                new AccessOutcome(List.of(), new GuestResult.Faulted(GuestExpectation.Faults.GP, 0))), new RunEnd.Reported())));
        Verdict verdict = Verdict.judge(DENY_174, faulted);
        assertThat(verdict.passed()).isTrue();

        AllureResults writer = new AllureResults(dir, false);
        for (String backend : List.of("kvm", "emulator")) {
            writer.testFinished(new TestResult(TestResult.Kind.CASE, DENY_174.id(), backend, RunSummary.Status.PASSED, "",
                    DENY_174, verdict, faulted, TARGET));
        }

        List<JsonNode> results = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(p -> p.toString().endsWith("-result.json")).sorted().toList()) {
                results.add(new ObjectMapper().readTree(p.toFile()));
            }
        }
        assertThat(results).hasSize(2);
        List<String> sources = new ArrayList<>();
        for (JsonNode r : results) {
            boolean emulator = r.path("fullName").asText().startsWith("emulator:");
            assertThat(r.path("descriptionHtml").asText()).as("which KVM the test ran on, or the emulator modelled")
                    .contains((emulator ? "The emulator models the KVM of: " : "Target: ") + "host, kernel 6.1.0");
            assertThat(r.path("descriptionHtml").asText()).contains("Guest access script:\nstep 1: KVM_X86_SET_MSR_FILTER returns ok (0)\n"
                    + "step 2: guest run (").contains("RDMSR(0x174)  expect: fault with #GP, no exit");
            List<String> names = new ArrayList<>();
            r.path("attachments").forEach(a -> {
                names.add(a.path("name").asText());
                sources.add(a.path("source").asText());
            });
            assertThat(names).containsExactly("filter (decoded, then the bytes passed to KVM_X86_SET_MSR_FILTER)", "expected vs actual");
        }
        // both backends observed the same: two attachments each, two files in all, named by their content
        assertThat(sources).hasSize(4);
        assertThat(sources.subList(2, 4)).isEqualTo(sources.subList(0, 2));
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith("-attachment.txt")))
                    .containsExactlyInAnyOrderElementsOf(sources.subList(0, 2));
        }
        assertThat(Files.readString(dir.resolve(sources.get(0))))
                .contains("step 1 (specs/t.yaml:3), expecting ok (0):", "the bytes passed to KVM_X86_SET_MSR_FILTER:");
    }
}
