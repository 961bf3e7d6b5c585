package io.msrconf.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.msrconf.kvm.agent.AgentKvm;
import io.msrconf.spec.Case;
import io.msrconf.target.KvmTarget;
import io.msrconf.target.OpenedTarget;
import io.msrconf.target.TestTargets;
import org.junit.jupiter.api.Test;

/**
 * A guest that goes away in the middle of a run (crashed, hung, powered off) is detected, the case that
 * was running is reported as lost with the guest's last words, and a fresh guest of the same kernel
 * serves the cases after it, up to {@link KvmBackend#MAX_BOOTS_AFTER_A_LOSS} times. It boots its own guests, so the
 * shared one stays untouched.
 */
class LostGuestTest {

    @Test
    void theCaseIsReportedLostAndTheNextCaseRunsOnAFreshGuest() throws Exception {
        TestTargets.guest();   // the same prerequisites (QEMU, the cached kernel): skipped or failed as the others
        try (OpenedTarget target = KvmTarget.parse(KvmTarget.DEFAULT_GUEST).open(KvmTarget.defaultCache());
             KvmBackend kvm = KvmBackend.on(target, KvmBackend.Options.defaults())) {
            Case c = SelfTestCases.ONE_READ;
            assertThat(ended(kvm.run(c))).isInstanceOf(RunEnd.Reported.class);

            ((AgentKvm) target.kvm()).powerOff();   // the guest goes away, as a crashed kernel would
            assertThat(target.alive()).isFalse();

            assertThatThrownBy(() -> kvm.run(c)).isInstanceOf(TargetLost.class)
                    .hasMessageContaining("the KVM of debian:6.12 stopped answering while this case ran")
                    .hasMessageContaining("last lines of console.log")
                    .hasMessageContaining("msrconf booted debian:6.12 again for the cases after this one");
            assertThat(target.alive()).isTrue();
            assertThat(ended(kvm.run(c))).isInstanceOf(RunEnd.Reported.class);

            // a kernel that keeps crashing is booted again only so often: then the rest of the run is not run
            ((AgentKvm) target.kvm()).powerOff();
            assertThatThrownBy(() -> kvm.run(c)).isInstanceOf(TargetLost.class)
                    .hasMessageContaining("msrconf booted debian:6.12 again for the cases after this one");
            ((AgentKvm) target.kvm()).powerOff();
            assertThatThrownBy(() -> kvm.run(c)).isInstanceOf(TargetLost.class)
                    .hasMessageContaining("(lost 3 times: the cases after this one are not run)");
            assertThat(kvm.cannotRun(c)).hasValueSatisfying(why -> assertThat(why)
                    .contains("the KVM target debian:6.12 was lost 3 times; msrconf does not boot it again"));
        }
    }

    private static RunEnd ended(Observation o) {
        return ((StepOutcome.GuestRan) o.steps().get(0)).end();
    }
}
