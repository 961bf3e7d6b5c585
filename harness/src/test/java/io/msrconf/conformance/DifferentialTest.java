package io.msrconf.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.msrconf.backend.EmulatorBackend;
import io.msrconf.backend.KvmBackend;
import io.msrconf.emu.model.Mutation;
import io.msrconf.kvm.Kvm;
import io.msrconf.spec.Case;
import io.msrconf.spec.SpecLoader;
import io.msrconf.suite.Differential;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * For every case both backends can run, real KVM and the reference model must have observed the same
 * thing. A difference is shown side by side, with which side disagrees with the case's expectation.
 */
class DifferentialTest {

    private static final KvmBackend KVM = KvmBackend.open();
    private static final EmulatorBackend EMULATOR = EmulatorBackend.create();

    @AfterAll
    static void close() {
        KVM.close();
        EMULATOR.close();
    }

    @TestFactory
    Stream<DynamicTest> kvmAndModelObserveTheSame() {
        return SpecLoader.load(ConformanceTest.specsDir()).cases().stream()
                .map(c -> DynamicTest.dynamicTest(c.id(), () -> compare(c)));
    }

    @Test
    void aDeliberatelyBrokenModelIsReportedAsTheSideThatDisagrees() {
        Kvm.unavailableReason().ifPresent(Assumptions::abort);
        Case c = SpecLoader.load(ConformanceTest.specsDir()).cases().stream()
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

    private static void compare(Case c) {
        KVM.cannotRun(c).ifPresent(reason -> Assumptions.abort("KVM: " + reason));
        EMULATOR.cannotRun(c).ifPresent(reason -> Assumptions.abort("emulator: " + reason));
        Optional<String> difference = Differential.compare(c, KVM.run(c), EMULATOR.run(c));
        difference.ifPresent(Assertions::fail);
    }
}
