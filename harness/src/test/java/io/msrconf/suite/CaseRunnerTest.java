package io.msrconf.suite;

import static org.assertj.core.api.Assertions.assertThat;

import io.msrconf.backend.EmulatorBackend;
import io.msrconf.pipeline.CaseResult;
import io.msrconf.pipeline.CaseRunner;
import io.msrconf.spec.Case;
import io.msrconf.spec.KernelVersion;
import io.msrconf.spec.SpecLoader;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Kernel ranges: a case outside its range is skipped with the reason; without a kernel (ignoring ranges) it is judged. */
class CaseRunnerTest {

    private static Case spec(String id) {
        return SpecLoader.load(Path.of("../specs")).cases().stream().filter(c -> c.id().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void aPerVersionCaseIsSkippedOutsideItsRangeAndFailsWhenRunThereAnyway() {
        // The model follows the current kernel: the F15H read is an UNKNOWN exit there, not the 0 that 5.10 returned.
        Case before513 = spec("exits.f15h-perf-ctl-reads-zero-without-perfctr-core");
        try (EmulatorBackend emulator = EmulatorBackend.create()) {
            CaseResult inRange = new CaseRunner(emulator, new KernelVersion(6, 18, 0)).run(before513);
            assertThat(inRange.status()).isEqualTo(CaseResult.Status.SKIPPED);
            assertThat(inRange.skipReason()).isEqualTo("the case applies to kernels >= 5.10, < 5.13; this is 6.18");

            CaseResult anyway = new CaseRunner(emulator, null).run(before513);
            assertThat(anyway.status()).isEqualTo(CaseResult.Status.FAILED);
            assertThat(anyway.verdict().explain()).contains("RDMSR(0xc0010200)").contains("UNKNOWN");
        }
    }
}
