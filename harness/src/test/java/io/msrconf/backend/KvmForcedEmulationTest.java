package io.msrconf.backend;

import io.msrconf.target.TestTargets;
import io.msrconf.target.OpenedTarget;
import static org.assertj.core.api.Assertions.assertThat;

import io.msrconf.kvm.local.LocalKvm;
import io.msrconf.spec.Case;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A case with a forced-emulated access runs on KVM only where kvm.force_emulation_prefix is set; elsewhere
 * it is skipped with the reason, never run (its prefix would only raise #UD) and never passed.
 */
class KvmForcedEmulationTest {

    private static final Case FORCED_RDTSC = SelfTestCases.parse("""
            area: self-test
            cases:
              - id: self.fep-rdtsc
                title: one forced-emulated RDTSC
                cites: harness self-test
                steps:
                  - run:
                      - { fep-rdtsc: true, expect: nonzero }
            """);

    private static Optional<String> withParameter(Path dir, String content) throws IOException {
        return KvmCapabilities.forcedEmulationUnavailable(Optional.of(content), dir.resolve("force_emulation_prefix").toString());
    }

    @Test
    void theModuleParameterDecides(@TempDir Path dir) throws IOException {
        Path p = dir.resolve("force_emulation_prefix");
        assertThat(withParameter(dir, "0\n")).contains("needs KVM's forced-emulation prefix: " + p
                + " is 0 on this kernel (msrconf loads kvm with force_emulation_prefix=1 in the kernels it boots)");
        assertThat(withParameter(dir, "N\n")).hasValueSatisfying(r -> assertThat(r).contains(p + " is N on this kernel"));
        assertThat(withParameter(dir, "1\n")).isEmpty();
        assertThat(withParameter(dir, "3\n")).as("6.1+: bit 1 adds clearing RFLAGS.RF").isEmpty();
        assertThat(withParameter(dir, "Y\n")).as("5.10: a bool").isEmpty();
        assertThat(KvmCapabilities.forcedEmulationUnavailable(Optional.empty(), dir.resolve("absent").toString())).hasValueSatisfying(r ->
                assertThat(r).contains(dir.resolve("absent") + " is missing or unreadable on this kernel"));
    }

    @Test
    void onEveryTargetTheCaseIsSkippedExactlyWhenTheParameterIsOff() {
        for (OpenedTarget target : TestTargets.all()) {
            Optional<String> parameter = KvmCapabilities.forcedEmulationUnavailable(target.kvm().readFile(KvmCapabilities.FORCE_EMULATION_PREFIX),
                    KvmCapabilities.FORCE_EMULATION_PREFIX);
            try (KvmBackend kvm = KvmBackend.on(target.kvm(), KvmBackend.Options.defaults())) {
                assertThat(kvm.cannotRun(FORCED_RDTSC)).as(target.name()).isEqualTo(parameter);
                assertThat(kvm.cannotRun(SelfTestCases.ONE_READ)).as("a case without forced emulation").isEmpty();
            }
        }
        // msrconf loads kvm with the parameter in every kernel it boots
        assertThat(TestTargets.guest().kvm().readFile(KvmCapabilities.FORCE_EMULATION_PREFIX)).hasValueSatisfying(v ->
                assertThat(v.strip()).isIn("1", "Y"));
    }

    @Test
    void onlyCasesWithAForcedEmulatedAccessNeedIt() {
        assertThat(FORCED_RDTSC.usesForcedEmulation()).isTrue();
        assertThat(SelfTestCases.ONE_READ.usesForcedEmulation()).isFalse();
    }

}
