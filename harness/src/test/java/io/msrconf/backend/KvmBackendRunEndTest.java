package io.msrconf.backend;

import io.msrconf.target.TestTargets;
import static org.assertj.core.api.Assertions.assertThat;

import io.msrconf.guest.Payload;
import io.msrconf.kvm.local.LocalKvm;
import io.msrconf.spec.Case;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A guest run that does not end normally becomes a clear observation, never a hung or crashed build:
 * each test runs one of the self-test payloads (guest-payloads/src/main/asm/test_*.S) on real KVM.
 */
class KvmBackendRunEndTest {

    private static final Case ONE_READ = SelfTestCases.ONE_READ;

    @BeforeEach
    void needsKvm() {
        TestTargets.guest();
    }

    @Test
    void guestThatNeverReportsTimesOutWithinTheDeadline() {
        try (KvmBackend kvm = KvmBackend.on(TestTargets.guest().kvm(), KvmBackend.Options.defaults().with(Duration.ofMillis(300), Payload.load("test_spin")))) {
            long start = System.nanoTime();
            Observation o = kvm.run(ONE_READ);
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(end(o)).isInstanceOf(RunEnd.TimedOut.class);
            assertThat(end(o).describe()).isEqualTo("the guest did not report back within 300 ms (0 exits seen)");
            assertThat(elapsedMs).as("elapsed ms").isLessThan(300 + 700);
        }
        try (KvmBackend kvm = KvmBackend.on(TestTargets.guest().kvm(), KvmBackend.Options.defaults())) {
            assertThat(end(kvm.run(ONE_READ))).as("the next case runs normally").isInstanceOf(RunEnd.Reported.class);
        }
    }

    @Test
    void unexpectedGuestExceptionIsReportedWithVectorAndSymbol() {
        try (KvmBackend kvm = KvmBackend.on(TestTargets.guest().kvm(), KvmBackend.Options.defaults().with(Duration.ofSeconds(5), Payload.load("test_unexpected_ud")))) {
            RunEnd end = end(kvm.run(ONE_READ));
            assertThat(end).isInstanceOf(RunEnd.UnexpectedException.class);
            RunEnd.UnexpectedException e = (RunEnd.UnexpectedException) end;
            assertThat(e.vector()).isEqualTo(6);
            assertThat(e.symbol()).isEqualTo("ud2_insn");
            assertThat(e.describe()).startsWith("the guest took an unexpected #UD at RIP 0x");
        }
    }

    @Test
    void tripleFaultIsACrashWithTheRegisters() {
        try (KvmBackend kvm = KvmBackend.on(TestTargets.guest().kvm(), KvmBackend.Options.defaults().with(Duration.ofSeconds(5), Payload.load("test_triple_fault")))) {
            RunEnd end = end(kvm.run(ONE_READ));
            assertThat(end).isInstanceOf(RunEnd.Crashed.class);
            RunEnd.Crashed c = (RunEnd.Crashed) end;
            assertThat(c.reason()).contains("SHUTDOWN");
            assertThat(c.registers()).contains("RIP is at").containsIgnoringCase("rip");
        }
    }

    private static RunEnd end(Observation o) {
        return ((StepOutcome.GuestRan) o.steps().get(0)).end();
    }
}
