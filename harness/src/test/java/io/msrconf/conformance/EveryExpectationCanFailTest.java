package io.msrconf.conformance;

import io.msrconf.target.TestTargets;
import static org.assertj.core.api.Assertions.assertThat;

import io.msrconf.backend.EmulatorBackend;
import io.msrconf.backend.KvmBackend;
import io.msrconf.spec.SpecLoader;
import io.msrconf.pipeline.CaseResult;
import io.msrconf.pipeline.CaseRunner;
import io.msrconf.pipeline.TargetInfo;
import io.msrconf.spec.TestSpecs;
import io.msrconf.verdict.Verdict;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Cases that cannot fail are worthless: for every case, each single expectation turned into its
 * opposite must make the case fail against what the backend really did.
 */
class EveryExpectationCanFailTest {

    private static final EmulatorBackend EMULATOR = EmulatorBackend.create();

    @AfterAll
    static void close() {
        EMULATOR.close();
    }

    /** On the guest kernel's KVM (a reused VM: each flip reruns its case). */
    @TestFactory
    Stream<DynamicTest> everyFlippedExpectationFailsOnKvm() {
        KvmBackend kvm = KvmBackend.on(TestTargets.guest().kvm(), KvmBackend.Options.defaults().reusingVm());
        // With the target's facts, so that the cases that require its module, parameters or CPU vendor are flipped too.
        TargetInfo target = TargetInfo.of(TestTargets.guest().name(), TestTargets.guest().kvm());
        CaseRunner runner = new CaseRunner(kvm, target.kernelVersion(), target.kvmModules(),
                TargetInfo.moduleParametersOf(TestTargets.guest().kvm()), target.cpuVendor());
        return flipsFail(runner).onClose(kvm::close);
    }

    @TestFactory
    Stream<DynamicTest> everyFlippedExpectationFailsOnTheEmulator() {
        return flipsFail(new CaseRunner(EMULATOR, TargetInfo.read().kernelVersion()));
    }

    private static Stream<DynamicTest> flipsFail(CaseRunner runner) {
        return SpecLoader.load(TestSpecs.DIR).cases().stream().map(c -> DynamicTest.dynamicTest(c.id(), () -> {
            CaseResult original = runner.run(c);
            if (original.status() == CaseResult.Status.SKIPPED) {
                Assumptions.abort(original.skipReason());
            }
            Assumptions.assumeTrue(original.status() == CaseResult.Status.PASSED,
                    "the case itself fails here; ConformanceTest reports it");
            for (ExpectationFlips.Flip flip : ExpectationFlips.of(c)) {
                Verdict v = Verdict.judge(flip.flipped(), original.observation());
                assertThat(v.passed()).as("%s with %s still passes: that expectation is not checked", c.id(), flip.what()).isFalse();
                assertThat(v.explain()).as("failure message of %s", flip.what()).contains("Expected");
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> flipsExistForEveryCase() {
        return SpecLoader.load(TestSpecs.DIR).cases().stream().map(c -> DynamicTest.dynamicTest(c.id(),
                () -> assertThat(ExpectationFlips.of(c)).as("flips of %s", c.id()).isNotEmpty()));
    }
}
