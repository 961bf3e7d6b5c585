package io.msrconf.conformance;

import io.msrconf.spec.Citation;
import io.msrconf.backend.AccessOutcome;
import io.msrconf.backend.Observation;
import io.msrconf.backend.RunEnd;
import io.msrconf.backend.StepOutcome;
import io.msrconf.guest.GuestResult;
import io.msrconf.spec.Access;
import io.msrconf.spec.GuestExpectation;
import io.msrconf.spec.KernelRange;
import io.msrconf.spec.MsrOp;
import io.msrconf.spec.SourceRef;
import io.msrconf.spec.Step;
import io.msrconf.spec.ValueExpectation;
import io.msrconf.spec.VcpuSetup;
import java.util.List;

import io.msrconf.target.TestTargets;
import static org.assertj.core.api.Assertions.assertThat;

import io.msrconf.backend.EmulatorBackend;
import io.msrconf.pipeline.TargetInfo;
import io.msrconf.backend.KvmBackend;
import io.msrconf.emu.model.ModelProfile;
import io.msrconf.emu.model.Mutation;
import io.msrconf.kvm.Kvm;
import io.msrconf.kvm.local.LocalKvm;
import io.msrconf.spec.Case;
import io.msrconf.spec.SpecLoader;
import io.msrconf.spec.SpecSet;
import io.msrconf.pipeline.Differential;
import io.msrconf.spec.TestSpecs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The KVM-versus-model comparison (run per case by the pipeline, Conformance) really reports a
 * difference, side by side, and names the side that disagrees with the case.
 */
class DifferentialTest {

    @Test
    void aDeliberatelyBrokenModelIsReportedAsTheSideThatDisagrees() {
        Case c = SpecLoader.load(TestSpecs.DIR).cases().stream()
                .filter(k -> k.id().equals("x2apic.enabled-exempt-from-deny-all-filter")).findFirst().orElseThrow();
        try (EmulatorBackend broken = EmulatorBackend.withMutations(Set.of(Mutation.X2APIC_EXEMPTION_LOST));
             KvmBackend kvm = KvmBackend.on(TestTargets.guest().kvm(), KvmBackend.Options.defaults())) {
            assertThat(broken.cannotRun(c)).isEmpty();
            Optional<String> difference = Differential.compare(c, kvm.run(c), broken.run(c));
            assertThat(difference).hasValueSatisfying(d -> assertThat(d)
                    .contains("KVM and the reference model disagree")
                    .contains("! ")
                    .contains("RDMSR(0x802)")
                    .endsWith("KVM matches the case's expectation, the model does not: a model bug."));
        }
    }

    /** The normal form the report's "expected vs actual" and the comparison show says what happened, not Java's record text. */
    @Test
    void theNormalFormDescribesIoctlOutcomesForPeople() {
        SourceRef at = new SourceRef(Path.of("specs/t.yaml"), 1);
        Case c = new Case("t.c", "t", "t", Citation.note("c"), KernelRange.DEFAULT, VcpuSetup.DEFAULT, List.of(), at);
        Observation o = new Observation("kvm", List.of(new StepOutcome.FilterSet(22), new StepOutcome.HostMsrsGot(1, List.of(0x10L)),
                new StepOutcome.ExitsEnabled(0)));
        assertThat(Differential.normalForm(c, o)).containsExactly(
                "step 1: KVM_X86_SET_MSR_FILTER returned EINVAL (22)",
                "step 2: KVM_GET_MSRS returned 1 (MSRs processed) [0x10]",
                "step 3: KVM_ENABLE_CAP(KVM_CAP_X86_USER_SPACE_MSR) returned ok (0)");
    }

    /** An access the model cannot know (the CPU decides it) is left out of the comparison; every other line still counts. */
    @Test
    void anAccessTheModelCannotKnowIsNotCompared() {
        SourceRef at = new SourceRef(Path.of("specs/t.yaml"), 1);
        Access read = new Access(MsrOp.RDMSR, 0x175, 0, null, new GuestExpectation.Completes(ValueExpectation.ANY), at);
        Case c = new Case("t.c", "t", "t", Citation.note("c"), KernelRange.DEFAULT, VcpuSetup.DEFAULT, List.of(new Step.RunGuest(List.of(read, read), at)), at);
        Observation kvm = new Observation("kvm", List.of(new StepOutcome.GuestRan(List.of(
                new AccessOutcome(List.of(), new GuestResult.Completed(0x100003000L)),
                new AccessOutcome(List.of(), new GuestResult.Completed(1))), new RunEnd.Reported())));
        Observation unknown = new Observation("emulator", List.of(new StepOutcome.GuestRan(List.of(
                new AccessOutcome(List.of(), new GuestResult.Completed(0x3000), "the CPU decides"),
                new AccessOutcome(List.of(), new GuestResult.Completed(1))), new RunEnd.Reported())));
        assertThat(Differential.compare(c, kvm, unknown)).isEmpty();
        Observation differs = new Observation("emulator", List.of(new StepOutcome.GuestRan(List.of(
                new AccessOutcome(List.of(), new GuestResult.Completed(0x3000), "the CPU decides"),
                new AccessOutcome(List.of(), new GuestResult.Completed(2))), new RunEnd.Reported())));
        assertThat(Differential.compare(c, kvm, differs)).hasValueSatisfying(d -> assertThat(d).contains("! "));
    }

    /**
     * The model is chosen per target: on the guest's kvm_amd a TPR written with low bits set reads back
     * without them (ModelProfile.SVM_WITHOUT_AVIC), which the generic model gets wrong. So the differential
     * must compare with the target's profile, and this shows it would fail with the generic one.
     */
    @Test
    void theModelOfTheTargetsVendorModuleAgreesWhereTheGenericOneDoesNot(@TempDir Path specs) throws Exception {
        Files.writeString(specs.resolve("x2apic.yaml"), """
                area: x2apic
                cases:
                  - id: x2apic.tpr-low-bits
                    title: A TPR written with its low bits set, read back after another exit
                    cites: lapic.c kvm_lapic_reg_write APIC_TASKPRI; svm.c sync_cr8_to_lapic()
                    vcpu: { x2apic: true }
                    steps:
                      - run:
                          - { wrmsr: 0x808, value: 0x31, expect: ok }
                          - { rdmsr: 0x808, expect: { value: 0x31, mask: 0xf0 } }
                """);
        SpecSet set = SpecLoader.load(specs);
        assertThat(set.errors()).isEmpty();
        Case c = set.cases().get(0);
        Kvm guest = TestTargets.guest().kvm();
        ModelProfile profile = TargetInfo.modelProfileOf(guest);
        Assumptions.assumeTrue(profile.tprSyncedFromVtprAtExit(), "the guest's KVM is not kvm_amd without AVIC: " + profile.name());
        try (KvmBackend kvm = KvmBackend.on(guest, KvmBackend.Options.defaults());
             EmulatorBackend targets = EmulatorBackend.create(profile);
             EmulatorBackend generic = EmulatorBackend.create()) {
            Observation onKvm = kvm.run(c);
            assertThat(Differential.compare(c, onKvm, targets.run(c))).isEmpty();
            assertThat(Differential.compare(c, onKvm, generic.run(c))).hasValueSatisfying(d -> assertThat(d).contains("RDMSR(0x808)"));
        }
    }
}
