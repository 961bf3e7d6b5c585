package io.msrconf.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.msrconf.backend.EmulatorBackend;
import io.msrconf.backend.KvmBackend;
import io.msrconf.emu.model.Mutation;
import io.msrconf.kvm.local.LocalKvm;
import io.msrconf.spec.Case;
import io.msrconf.spec.SpecLoader;
import io.msrconf.pipeline.Differential;
import io.msrconf.spec.TestSpecs;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The KVM-versus-model comparison (run per case by the pipeline, Conformance) really reports a
 * difference, side by side, and names the side that disagrees with the case.
 */
class DifferentialTest {

    private static final KvmBackend KVM = KvmBackend.open();

    @AfterAll
    static void close() {
        KVM.close();
    }

    @Test
    void aDeliberatelyBrokenModelIsReportedAsTheSideThatDisagrees() {
        LocalKvm.unavailableReason().ifPresent(Assumptions::abort);
        Case c = SpecLoader.load(TestSpecs.DIR).cases().stream()
                .filter(k -> k.id().equals("x2apic.enabled-exempt-from-deny-all-filter")).findFirst().orElseThrow();
        try (EmulatorBackend broken = EmulatorBackend.withMutations(Set.of(Mutation.X2APIC_EXEMPTION_LOST))) {
            assertThat(broken.cannotRun(c)).isEmpty();
            Optional<String> difference = Differential.compare(c, KVM.run(c), broken.run(c));
            assertThat(difference).hasValueSatisfying(d -> assertThat(d)
                    .contains("KVM and the reference model disagree")
                    .contains("! ")
                    .contains("RDMSR(0x802)")
                    .endsWith("KVM matches the case's expectation, the model does not: a model bug."));
        }
    }
}
