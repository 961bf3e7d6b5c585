package io.msrconf.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.msrconf.backend.EmulatorBackend;
import io.msrconf.emu.model.Mutation;
import io.msrconf.guest.Payload;
import io.msrconf.matrix.KernelMatrix;
import io.msrconf.target.KvmTarget;
import io.msrconf.matrix.MatrixReport;
import io.msrconf.pipeline.Conformance;
import io.msrconf.pipeline.KnownDeviation;
import io.msrconf.spec.Case;
import io.msrconf.spec.KernelRange;
import io.msrconf.spec.KernelVersion;
import io.msrconf.spec.SourceRef;
import io.msrconf.spec.SpecError;
import io.msrconf.spec.SpecLoader;
import io.msrconf.spec.SpecSet;
import io.msrconf.pipeline.CaseResult;
import io.msrconf.pipeline.CaseRunner;
import io.msrconf.pipeline.Differential;
import io.msrconf.pipeline.TargetInfo;
import io.msrconf.spec.TestSpecs;
import io.msrconf.verdict.Mismatch;
import io.msrconf.backend.Observation;
import io.msrconf.verdict.Verdict;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * reports/categories.json sorts failures for triage. Fed with failure messages the suite really
 * produces (cases failing against deliberately broken models, a guest that never reports, a
 * malformed spec, a known deviation), each category catches what it should and nothing else.
 * Allure matches a category when the status is listed and the whole message matches the regex.
 */
class CategoriesTest {

    private record Category(String name, Set<String> statuses, Pattern regex) {
        boolean matches(String status, String message) {
            return statuses.contains(status) && regex.matcher(message).matches();
        }
    }

    private static List<Category> categories;
    private static List<Case> cases;

    @BeforeAll
    static void load() throws IOException {
        Path specs = TestSpecs.DIR;
        JsonNode json = new ObjectMapper().readTree(specs.toAbsolutePath().getParent().resolve("reports/categories.json").toFile());
        categories = new ArrayList<>();
        for (JsonNode c : json) {
            Set<String> statuses = new java.util.HashSet<>();
            c.get("matchedStatuses").forEach(s -> statuses.add(s.asText()));
            categories.add(new Category(c.get("name").asText(), statuses, Pattern.compile(c.get("messageRegex").asText())));
        }
        cases = SpecLoader.load(specs).cases();
    }

    private static List<String> categoriesOf(String status, String message) {
        return categories.stream().filter(c -> c.matches(status, message)).map(Category::name).toList();
    }

    private static final String MODEL_FAILS = "Reference model fails the case (a model or case bug, not a kernel's)";

    @Test
    void everyVerdictKindFromBrokenModelsLandsInExactlyItsCategory() {
        Map<Mismatch.Kind, String> expected = Map.of(
                Mismatch.Kind.FILTER_NOT_ENFORCED, "Filter not enforced (a denied access got through)",
                Mismatch.Kind.FILTER_OVER_ENFORCED, "Filter over-enforced (an allowed access was denied)",
                Mismatch.Kind.X2APIC_EXEMPTION, "x2APIC exemption violated",
                Mismatch.Kind.WRONG_EXIT, "Wrong exit reason, exit data or result",
                Mismatch.Kind.WRONG_RESULT, "Wrong exit reason, exit data or result",
                Mismatch.Kind.IOCTL_RESULT, "ioctl validation changed",
                Mismatch.Kind.RUN_FAILED, "Harness or environment broken");
        Map<Mismatch.Kind, String> seen = new LinkedHashMap<>();
        for (Mutation m : Mutation.values()) {
            try (EmulatorBackend broken = EmulatorBackend.withMutations(Set.of(m))) {
                CaseRunner runner = new CaseRunner(broken, new KernelVersion(99, 0, 0));
                for (Case c : cases) {
                    CaseResult r = runner.run(c);
                    if (r.status() != CaseResult.Status.FAILED) {
                        continue;
                    }
                    // A broken model stands for a broken kernel here: judged as KVM's observation, its failure must land
                    // in the kernel category of its kind; as the model's own, in the model's category.
                    Verdict asKvm = new Verdict(c, new Observation("kvm", r.observation().steps()), r.verdict().mismatches());
                    String message = asKvm.failureMessage();
                    Mismatch.Kind kind = r.verdict().mismatches().get(0).kind();
                    assertThat(categoriesOf("failed", message)).as("categories of %s under %s:%n%s", c.id(), m, message)
                            .containsExactly(expected.get(kind));
                    assertThat(categoriesOf("failed", r.verdict().failureMessage())).as("the model's own failure of %s", c.id())
                            .containsExactly(MODEL_FAILS);
                    seen.putIfAbsent(kind, message);
                }
            }
        }
        assertThat(seen.keySet()).as("verdict kinds the broken models produced")
                .containsAll(EnumSet.complementOf(EnumSet.of(Mismatch.Kind.RUN_FAILED)));
    }

    @Test
    void aGuestThatNeverReportsIsHarnessOrEnvironmentBroken() {
        try (EmulatorBackend spinning = EmulatorBackend.withPayload(Payload.load("test_spin"), Duration.ofMillis(100))) {
            CaseResult r = new CaseRunner(spinning, new KernelVersion(99, 0, 0)).run(cases.get(0));
            String message = new Verdict(r.spec(), new Observation("kvm", r.observation().steps()), r.verdict().mismatches()).failureMessage();
            assertThat(message).contains("triage: run-failed");
            assertThat(categoriesOf("failed", message)).containsExactly("Harness or environment broken");
        }
    }

    @Test
    void malformedInputIsHarnessOrEnvironmentBroken() {
        SpecSet bad = SpecLoader.parse("area: x\ncases: 7\n", Path.of("specs/x.yaml"));
        String message = Conformance.inputErrorMessage("spec", bad.errors().get(0));
        assertThat(categoriesOf("failed", message)).containsExactly("Harness or environment broken");
        SpecError deviationError = new SpecError(new SourceRef(Path.of("specs/known-deviations/deviations.yaml"), 3), "deviations[0].case", "missing");
        assertThat(categoriesOf("failed", Conformance.inputErrorMessage("known-deviations file", deviationError)))
                .containsExactly("Harness or environment broken");
    }

    @Test
    void kvmVersusModelDifferenceIsItsOwnCategory() {
        Case c = cases.stream().filter(k -> k.id().equals("x2apic.enabled-exempt-from-deny-all-filter")).findFirst().orElseThrow();
        try (EmulatorBackend model = EmulatorBackend.create();
             EmulatorBackend broken = EmulatorBackend.withMutations(Set.of(Mutation.X2APIC_EXEMPTION_LOST))) {
            String message = Differential.compare(c, model.run(c), broken.run(c)).orElseThrow();
            assertThat(categoriesOf("failed", message)).containsExactly("Emulator model disagrees with KVM");
        }
    }

    @Test
    void knownDeviationsAndTheirDisappearanceAreTheirOwnCategories() {
        try (EmulatorBackend broken = EmulatorBackend.withMutations(Set.of(Mutation.LAST_MATCH_WINS))) {
            Case c = cases.stream().filter(k -> k.id().equals("ranges.overlap-first-match-wins")).findFirst().orElseThrow();
            CaseResult r = new CaseRunner(broken, new KernelVersion(99, 0, 0)).run(c);
            KnownDeviation known = new KnownDeviation(c.id(), "emulator", KernelRange.DEFAULT, null,
                    "seen on 6.x: the last range wins", null, new SourceRef(Path.of("specs/known-deviations/deviations.yaml"), 4));
            String skipped = Conformance.knownDeviationMessage(known, r.verdict().failureMessage());
            assertThat(categoriesOf("skipped", skipped)).containsExactly("Known kernel deviation");
            String reproducedNoMore = Conformance.deviationNotReproducedMessage(c, known, TargetInfo.read());
            assertThat(categoriesOf("failed", reproducedNoMore)).containsExactly("Known deviation no longer reproduces");
        }
    }

    @Test
    void aKernelThatDidNotRunIsItsOwnCategory() {
        KernelMatrix.KernelResult notRun = new KernelMatrix.KernelResult(KvmTarget.parse("debian:6.12"), java.util.Optional.empty(),
                "QEMU exited with status 1 before the command finished\n  last lines of qemu.log:\n    qemu: linux kernel too old",
                Path.of("x"), Duration.ZERO);
        assertThat(categoriesOf("broken", MatrixReport.notRunMessage(notRun))).containsExactly("Kernel did not run (kernel matrix)");
    }

    @Test
    void anExceptionInTheHarnessIsBroken() {
        assertThat(categoriesOf("broken", "java.lang.IllegalStateException: the model refused ...")).containsExactly("Harness threw an exception");
    }
}
