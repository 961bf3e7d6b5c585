package io.msrconf.kernelmutants;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A campaign's bookkeeping, with a fake builder and a fake suite (no compiler, no QEMU): outcomes, the score,
 * and resuming a campaign directory without building or running again what is finished.
 */
class KernelMutantCampaignTest {

    @TempDir
    Path tmp;

    /** Builds by looking at the mutated file: a mutant whose replacement contains "EFAULT" "does not compile". */
    static final class FakeBuilder implements ModuleBuilder {
        final List<String> built = Collections.synchronizedList(new ArrayList<>());

        @Override
        public Build build(Path sources, Path outTree, int slot) {
            assertThat(slot).isBetween(0, 1);
            try {
                String x86 = Files.readString(sources.resolve("arch/x86/kvm/x86.c"));
                built.add(x86);
                if (x86.contains("EFAULT")) {
                    return new Build(Result.DOES_NOT_COMPILE, "x86.c:59: error: EFAULT undeclared");
                }
                Files.createDirectories(outTree);
                Files.writeString(outTree.resolve("kvm.ko"), x86);
                return new Build(Result.BUILT, "");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Fails a case when the module tree's "kvm.ko" lacks the x2APIC exemption; crashes on a 0x7ff bound. */
    static final class FakeSuite implements SuiteRunner {
        final List<String> ran = Collections.synchronizedList(new ArrayList<>());
        final List<java.time.Duration> calibrations = Collections.synchronizedList(new ArrayList<>());
        boolean baselineFails;

        @Override
        public java.util.Optional<String> calibrate(java.time.Duration baselineRun) {
            calibrations.add(baselineRun);
            return java.util.Optional.of("calibrated");
        }

        @Override
        public Outcome run(String name, Path modules, Path runDir) {
            ran.add(name);
            try {
                String ko = Files.readString(modules.resolve("kvm.ko"));
                if (name.equals("baseline")) {
                    return baselineFails ? new Outcome(true, List.of("ranges.x [kvm]"), 10, "") : new Outcome(true, List.of(), 10, "");
                }
                if (ko.contains("0x7ff")) {
                    return new Outcome(false, List.of(), 0, "the guest crashed\nkernel BUG at x86.c");
                }
                if (!ko.contains("index >= 0x800 && index <= 0x8ff)\n\t\treturn true;")) {
                    return new Outcome(true, List.of("x2apic.exempt [kvm]"), 9, "");
                }
                return new Outcome(true, List.of(), 10, "");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static List<Mutant> mutants() {
        return MutantGenerator.generate(Fixture.ROOT, SiteList.load(Fixture.SITES)).stream()
                .filter(m -> m.function().equals("kvm_msr_allowed") || m.operator().equals("errno")).toList();
    }

    private KernelMutantCampaign campaign(FakeBuilder b, FakeSuite s, ByteArrayOutputStream out) {
        return new KernelMutantCampaign(new KernelMutantCampaign.Options(Fixture.ROOT, tmp.resolve("campaign"), "6.12.0-test", 2, false),
                b, s, new PrintStream(out, true, StandardCharsets.UTF_8));
    }

    @Test
    void everyMutantEndsBuiltAndJudgedOrDiscarded() throws Exception {
        FakeBuilder b = new FakeBuilder();
        FakeSuite s = new FakeSuite();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<Mutant> ms = mutants();
        List<MutantStatus> result = campaign(b, s, out).run(ms);

        assertThat(result).hasSize(ms.size()).allMatch(r -> r.outcome().finished());
        assertThat(status(ms, result, "x86.c:kvm_msr_allowed:return-value:1").outcome()).isEqualTo(MutantStatus.Outcome.KILLED);
        assertThat(status(ms, result, "x86.c:kvm_msr_allowed:return-value:1").killedBy()).containsExactly("x2apic.exempt [kvm]");
        assertThat(status(ms, result, "x86.c:kvm_msr_allowed:constant-off-by-one:2").outcome()).isEqualTo(MutantStatus.Outcome.KILLED_BY_CRASH);
        assertThat(status(ms, result, "x86.c:kvm_msr_allowed:delete-statement:4").outcome()).isEqualTo(MutantStatus.Outcome.SURVIVED);
        assertThat(status(ms, result, "x86.c:kvm_add_msr_filter:errno:1").outcome()).isEqualTo(MutantStatus.Outcome.DOES_NOT_COMPILE);
        assertThat(status(ms, result, "x86.c:kvm_add_msr_filter:errno:1").detail()).contains("error: EFAULT undeclared");
        // the baseline first, then one build per mutant; a mutant that does not compile is never run
        assertThat(b.built).hasSize(ms.size() + 1);
        assertThat(s.ran.get(0)).isEqualTo("baseline");
        assertThat(s.ran).hasSize(1 + (int) result.stream().filter(r -> r.outcome() != MutantStatus.Outcome.DOES_NOT_COMPILE).count());
        // the build slots are back to the pristine sources, and no module tree is left behind
        for (int slot = 0; slot < 2; slot++) {
            assertThat(Files.readString(tmp.resolve("campaign/work/slot-" + slot + "/arch/x86/kvm/x86.c"))).isEqualTo(Fixture.text());
        }
        try (var trees = Files.list(tmp.resolve("campaign/trees"))) {
            assertThat(trees).isEmpty();
        }
        String progress = out.toString(StandardCharsets.UTF_8);
        assertThat(progress).contains("kernel-mutants: baseline: 10 cases passed", "of " + ms.size() + ": x86.c:kvm_add_msr_filter:errno:1: does not compile",
                ": killed by x2apic.exempt [kvm]", ": killed by a crash/timeout: the guest crashed", ": survived", " s left (0 mutants)");

        KernelMutantReport report = new KernelMutantReport(ms, result);
        long compiled = result.stream().filter(r -> r.outcome() != MutantStatus.Outcome.DOES_NOT_COMPILE).count();
        assertThat(report.compiled()).isEqualTo(compiled);
        assertThat(report.text()).startsWith("score: " + report.killed() + " killed of " + compiled + " compiled mutants")
                .contains("survivors:", "x86.c:kvm_msr_allowed:delete-statement:4  (arch/x86/kvm/x86.c:47)\n  UNCLASSIFIED (add it to kernel-mutants/survivors.yaml)\n--- a/arch/x86/kvm/x86.c");
        assertThat(new String(report.json(), StandardCharsets.UTF_8)).contains("\"killedByCrashOrTimeout\" : 1", "\"outcome\" : \"DOES_NOT_COMPILE\"");
    }

    @Test
    void aResumedCampaignDoesNotRedoFinishedMutantsOrTheBaseline() throws Exception {
        List<Mutant> ms = mutants();
        List<Mutant> firstPart = ms.subList(0, 5);
        campaign(new FakeBuilder(), new FakeSuite(), new ByteArrayOutputStream()).run(firstPart);

        // a mutant that was built when the campaign stopped: its state says BUILT and its module tree is there
        Mutant interrupted = ms.get(5);
        Path tree = tmp.resolve("campaign/trees/" + interrupted.fileName() + "/lib/modules/6.12.0-test");
        Files.createDirectories(tree);
        Files.writeString(tree.resolve("kvm.ko"), MutantGenerator.mutatedText(interrupted, Fixture.ROOT));
        Files.writeString(tmp.resolve("campaign/state/" + interrupted.fileName() + ".json"),
                "{\"id\":\"" + interrupted.id() + "\",\"outcome\":\"BUILT\",\"killedBy\":[],\"detail\":\"\",\"buildSeconds\":1.0,\"runSeconds\":0}");

        FakeBuilder b = new FakeBuilder();
        FakeSuite s = new FakeSuite();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<MutantStatus> result = campaign(b, s, out).run(ms);

        assertThat(result).hasSize(ms.size()).allMatch(r -> r.outcome().finished());
        assertThat(s.ran).doesNotContain("baseline").contains(interrupted.fileName())
                .doesNotContainAnyElementsOf(firstPart.stream().map(Mutant::fileName).toList());
        assertThat(b.built).hasSize(ms.size() - 6);   // neither the finished five nor the built one
        // the baseline's run time, kept in baseline.json, bounds the mutants' runs of the resumed campaign too
        assertThat(s.calibrations).hasSize(1).allMatch(d -> !d.isNegative());
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("resuming: 5 of " + ms.size() + " mutants already finished, "
                + (ms.size() - 5) + " to go", "baseline: the unmutated KVM passed the suite in an earlier run");
    }

    @Test
    void rerunBuildsAndRunsEverythingAgain() throws Exception {
        List<Mutant> ms = mutants().subList(0, 3);
        campaign(new FakeBuilder(), new FakeSuite(), new ByteArrayOutputStream()).run(ms);
        FakeBuilder b = new FakeBuilder();
        FakeSuite s = new FakeSuite();
        new KernelMutantCampaign(new KernelMutantCampaign.Options(Fixture.ROOT, tmp.resolve("campaign"), "6.12.0-test", 2, true),
                b, s, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)).run(ms);
        assertThat(b.built).hasSize(4);
        assertThat(s.ran).hasSize(4).contains("baseline");
    }

    @Test
    void aBaselineThatFailsStopsTheCampaignBeforeAnyMutant() {
        FakeBuilder b = new FakeBuilder();
        FakeSuite s = new FakeSuite();
        s.baselineFails = true;
        assertThatThrownBy(() -> campaign(b, s, new ByteArrayOutputStream()).run(mutants()))
                .isInstanceOf(KernelMutantCampaign.BaselineFailed.class)
                .hasMessageContaining("the unmutated kernel must pass the suite, but 1 cases failed: ranges.x [kvm]");
        assertThat(b.built).hasSize(1);
        assertThat(s.ran).containsExactly("baseline");
        assertThat(Files.exists(tmp.resolve("campaign/baseline.json"))).isFalse();
    }

    /** Kills what deletes a statement of kvm_msr_allowed (msrconf's fake suite lets one of those survive). */
    static final class FakeSelftest implements SelftestRunner {
        final List<String> ran = Collections.synchronizedList(new ArrayList<>());
        boolean baselineFails;

        @Override
        public Outcome run(String name, Path modules) {
            ran.add(name);
            if (name.equals("baseline")) {
                return baselineFails ? new Outcome(true, List.of("msr_filter_deny"), 3, "not ok 2 msr_filter_deny") : new Outcome(true, List.of(), 4, "");
            }
            return name.contains("delete-statement") ? new Outcome(true, List.of("msr_permission_bitmap"), 3, "not ok 4 msr_permission_bitmap")
                    : new Outcome(true, List.of(), 4, "");
        }
    }

    @Test
    void theKernelSelftestRunsOnEveryKernelAndItsKillsAreScoredBesideMsrconfs() throws Exception {
        List<Mutant> ms = mutants();
        FakeSelftest self = new FakeSelftest();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<MutantStatus> result = new KernelMutantCampaign(new KernelMutantCampaign.Options(Fixture.ROOT, tmp.resolve("campaign"),
                "6.12.0-test", 2, false), new FakeBuilder(), new FakeSuite(), self, new PrintStream(out, true, StandardCharsets.UTF_8)).run(ms);

        assertThat(self.ran.get(0)).isEqualTo("baseline");
        assertThat(self.ran).hasSize(1 + (int) result.stream().filter(r -> r.outcome() != MutantStatus.Outcome.DOES_NOT_COMPILE).count());
        MutantStatus survivor = status(ms, result, "x86.c:kvm_msr_allowed:delete-statement:4");
        assertThat(survivor.outcome()).isEqualTo(MutantStatus.Outcome.SURVIVED);
        assertThat(survivor.selftest()).isEqualTo(MutantStatus.Selftest.KILLED);
        assertThat(status(ms, result, "x86.c:kvm_msr_allowed:return-value:1").selftest()).isEqualTo(MutantStatus.Selftest.SURVIVED);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("the kernel selftest passed 4 subtests",
                "survived; the kernel selftest failed msr_permission_bitmap");

        SurvivorClassification classified = SurvivorClassification.parse("survivors.yaml", """
                survivors:
                  - id: x86.c:kvm_msr_allowed:delete-statement:4
                    class: gap
                    why: the permission bitmap of a vCPU is not checked after a filter change
                    case: lifecycle.some-case
                """);
        KernelMutantReport report = new KernelMutantReport(ms, result, classified);
        assertThat(report.killedOnlyBySelftest()).extracting(Mutant::id).contains("x86.c:kvm_msr_allowed:delete-statement:4");
        assertThat(report.text()).contains("kernel selftest (userspace_msr_exit_test) on the same kernels: ",
                "killed by the selftest, not by msrconf (a gap to close first): x86.c:kvm_msr_allowed:delete-statement:4",
                "gap: the permission bitmap of a vCPU is not checked after a filter change (case lifecycle.some-case");
        assertThat(new String(report.json(), StandardCharsets.UTF_8)).contains("\"selftest\" : \"KILLED\"", "\"class\" : \"gap\"");
    }

    @Test
    void aBaselineTheSelftestFailsStopsTheCampaign() {
        FakeSelftest self = new FakeSelftest();
        self.baselineFails = true;
        assertThatThrownBy(() -> new KernelMutantCampaign(new KernelMutantCampaign.Options(Fixture.ROOT, tmp.resolve("campaign"),
                "6.12.0-test", 2, false), new FakeBuilder(), new FakeSuite(), self,
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)).run(mutants()))
                .isInstanceOf(KernelMutantCampaign.BaselineFailed.class)
                .hasMessageContaining("the kernel selftest must pass on the unmutated kernel, but it failed msr_filter_deny");
    }

    @Test
    void survivorsAreClassifiedWithAReasonAndAGapNamesItsCase() {
        SurvivorClassification c = SurvivorClassification.parse("s.yaml", """
                survivors:
                  - { id: a, class: equivalent, why: "the value is written again before it is read" }
                  - { id: b, class: unreachable, why: VMX only }
                """);
        assertThat(c.entries()).containsOnlyKeys("a", "b");
        assertThat(c.entries().get("b").kind()).isEqualTo(SurvivorClassification.Kind.UNREACHABLE);
        assertThatThrownBy(() -> SurvivorClassification.parse("s.yaml", "survivors:\n  - { id: a, class: gap, why: w }\n"))
                .hasMessage("s.yaml: survivors[0]: a gap names the case that kills it (case: ID)");
        assertThatThrownBy(() -> SurvivorClassification.parse("s.yaml", "survivors:\n  - { id: a, class: maybe, why: w }\n"))
                .hasMessage("s.yaml: survivors[0]: class is equivalent, unreachable or gap, got 'maybe'");
        assertThatThrownBy(() -> SurvivorClassification.parse("s.yaml", "survivors:\n  - { id: a, class: equivalent }\n"))
                .hasMessage("s.yaml: survivors[0]: expected id, class and why (text)");
    }

    @Test
    void theSelftestsOutputIsReadAsKtap() {
        String out = """
                TAP version 13
                1..4
                # Starting 4 tests from 1 test cases.
                ok 1 user_msr.msr_filter_control
                not ok 2 user_msr.msr_filter_deny
                ok 3 user_msr.msr_permission_bitmap
                ok 4 user_msr.fep # SKIP needs force_emulation_prefix
                # Totals: pass:2 fail:1 xfail:0 xpass:0 skip:1 error:0
                """;
        SelftestRunner.Outcome o = SelftestRunner.parse(out, 1);
        assertThat(o.passed()).isEqualTo(2);
        assertThat(o.failed()).containsExactly("user_msr.msr_filter_deny");
        assertThat(o.killed()).isTrue();
        assertThat(SelftestRunner.parse("ok 1 a\n", 0).killed()).isFalse();
        assertThat(SelftestRunner.parse("ok 1 a\n", 134).failed()).containsExactly("exit status 134");
    }

    private static MutantStatus status(List<Mutant> ms, List<MutantStatus> result, String id) {
        assertThat(ms.stream().map(Mutant::id)).as("fixture mutant ids").contains(id);
        return result.stream().filter(r -> r.id().equals(id)).findFirst().orElseThrow();
    }

}
