package io.msrconf.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.msrconf.guest.Payload;
import io.msrconf.spec.Case;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The emulator backend ends abnormal runs the way the KVM backend does, and skips what its model does not cover. */
class EmulatorBackendTest {

    private static final Case ONE_READ = SelfTestCases.ONE_READ;

    @Test
    void anUnmodelledMsrSkipsTheCaseWithTheReason() {
        Case featureControl = SelfTestCases.parse("""
                area: self-test
                cases:
                  - id: self.unmodelled
                    title: reads IA32_FEATURE_CONTROL, which the model does not emulate
                    cites: harness self-test
                    steps:
                      - run:
                          - { rdmsr: 0x3a, expect: gp }
                """);
        try (EmulatorBackend emulator = EmulatorBackend.create()) {
            assertThat(emulator.cannotRun(featureControl)).contains(
                    "the reference model knowingly differs from KVM here: the model does not emulate reads of MSR 0x3a");
            assertThat(emulator.cannotRun(ONE_READ)).isEmpty();
        }
    }

    @Test
    void guestThatNeverReportsTimesOut() {
        try (EmulatorBackend emulator = EmulatorBackend.withPayload(Payload.load("test_spin"), Duration.ofMillis(200))) {
            RunEnd end = end(emulator.run(ONE_READ));
            assertThat(end).isInstanceOf(RunEnd.TimedOut.class);
        }
    }

    @Test
    void unexpectedExceptionCarriesVectorAndSymbol() {
        try (EmulatorBackend emulator = EmulatorBackend.withPayload(Payload.load("test_unexpected_ud"), Duration.ofSeconds(5))) {
            assertThat(end(emulator.run(ONE_READ))).isEqualTo(new RunEnd.UnexpectedException(6,
                    Payload.load("test_unexpected_ud").symbol("ud2_insn").orElseThrow(), 0, "ud2_insn"));
        }
    }

    @Test
    void tripleFaultIsACrashWithTheRegisters() {
        try (EmulatorBackend emulator = EmulatorBackend.withPayload(Payload.load("test_triple_fault"), Duration.ofSeconds(5))) {
            RunEnd end = end(emulator.run(ONE_READ));
            assertThat(end).isInstanceOf(RunEnd.Crashed.class);
            assertThat(((RunEnd.Crashed) end).reason()).contains("SHUTDOWN");
            assertThat(((RunEnd.Crashed) end).registers()).contains("RIP is at");
        }
    }

    private static RunEnd end(Observation o) {
        return ((StepOutcome.GuestRan) o.steps().get(0)).end();
    }
}
