package io.msrconf.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.msrconf.kernelmutants.KvmBuildScripts;
import io.msrconf.target.KvmTarget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fast tier of kernel mutation testing, end to end in every CI run: the two historical mutants (the x2APIC
 * exemption gone from kvm_msr_allowed(); a refused filter installed half-built) built from the 6.12 source, booted
 * under QEMU, judged by the x2APIC and validation cases and by the kernel's own selftest, after the unmutated build
 * passed both. Needs the prepared build environment (.ci/run prepares it); without it the test is skipped with the
 * reason, and under CI it fails.
 */
class KernelMutationFastTierTest {

    @Test
    void theX2apicExemptionAndAValidationMutantAreBuiltBootedAndKilled(@TempDir Path tmp) throws IOException {
        Path env = KvmTarget.defaultCache().resolve("kvm-build-6.12");
        if (KvmBuildScripts.pristineSources(env).isEmpty() || !Files.isRegularFile(env.resolve("selftests/userspace_msr_exit_test"))) {
            String why = "no prepared kernel build environment at " + env + " (bash matrix/prepare-kvm-build.sh 6.12 "
                    + KvmTarget.defaultCache() + ")";
            if (System.getenv("CI") != null) {
                Assertions.fail("CI must run the kernel mutation fast tier, but there is " + why + " (.ci/run prepares it)");
            }
            Assumptions.abort(why);
        }
        BisectRunCommandTest.Run r = BisectRunCommandTest.run("kernel-mutants", "--historical-only", "--cases", "^(x2apic|validation)\\.",
                "--specs", "../specs", "--sites", "../kernel-mutants/sites.yaml", "--historical", "../kernel-mutants/historical",
                "--scripts", "../matrix", "--out", tmp.resolve("km").toString());
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("baseline: ", "cases passed; the kernel selftest passed");
        assertThat(r.out()).contains("historical: 2 killed of 2");
        String json = Files.readString(tmp.resolve("km/kernel-mutants.json"));
        assertThat(json).contains("\"historicalKilled\" : 2", "\"id\" : \"historical:x2apic-msrs-filtered\"",
                "\"id\" : \"historical:refused-filter-installs-half-built\"", "x2apic.enabled-exempt-from-deny-all-filter [kvm]",
                "validation.zero-range-flags-are-refused [kvm]");
    }
}
