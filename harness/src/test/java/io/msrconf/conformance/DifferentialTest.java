package io.msrconf.conformance;

import io.msrconf.target.TestTargets;
import static org.assertj.core.api.Assertions.assertThat;

import io.msrconf.backend.EmulatorBackend;
import io.msrconf.pipeline.TargetInfo;
import io.msrconf.backend.KvmBackend;
import io.msrconf.emu.model.ModelProfile;
import io.msrconf.emu.model.Mutation;
import io.msrconf.kvm.Kvm;
import io.msrconf.backend.Observation;
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
