package io.msrconf.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.msrconf.kvm.Kvm;
import io.msrconf.kvm.local.LocalKvm;
import io.msrconf.target.TestTargets;
import io.msrconf.spec.Case;
import io.msrconf.spec.SpecLoader;
import io.msrconf.spec.TestSpecs;
import io.msrconf.verdict.Verdict;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A case's set-param is written in the throwaway kernel only for that case and read back as it was after
 * it; this machine's KVM is never touched (the case is skipped there, saying why).
 */
class SetParamTest {

    private static final String PARAM = "/sys/module/kvm/parameters/ignore_msrs";

    private static Case ignoreMsrsCase() {
        return SpecLoader.load(TestSpecs.DIR).cases().stream()
                .filter(c -> c.id().equals("exits.ignore-msrs-completes-unknown-accesses-without-an-exit")).findFirst().orElseThrow();
    }

    @Test
    void theParameterIsSetForTheCaseAndRestoredAfterIt() {
        Kvm kvm = TestTargets.guest().kvm();
        Optional<String> before = kvm.readFile(PARAM).map(String::strip);
        assertThat(before).contains("N");
        try (KvmBackend backend = KvmBackend.on(kvm, KvmBackend.Options.defaults())) {
            Case c = ignoreMsrsCase();
            assertThat(backend.cannotRun(c)).isEmpty();
            assertThat(Verdict.judge(c, backend.run(c)).passed()).isTrue();
        }
        assertThat(kvm.readFile(PARAM).map(String::strip)).isEqualTo(before);
    }

    @Test
    void thisMachinesKvmIsNeverChanged() {
        Assumptions.assumeTrue(LocalKvm.unavailableReason().isEmpty(), "this machine's /dev/kvm cannot be used");
        try (LocalKvm kvm = LocalKvm.open(); KvmBackend backend = KvmBackend.on(kvm, KvmBackend.Options.defaults())) {
            assertThat(backend.cannotRun(ignoreMsrsCase())).hasValueSatisfying(why -> assertThat(why)
                    .startsWith("the case sets kvm.ignore_msrs=Y for itself, which msrconf does only in a kernel it booted"));
        }
    }
}
