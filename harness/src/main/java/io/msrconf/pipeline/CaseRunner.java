package io.msrconf.pipeline;

import io.msrconf.backend.Backend;
import io.msrconf.backend.TargetLost;
import io.msrconf.spec.Case;
import io.msrconf.spec.KernelVersion;
import io.msrconf.verdict.Verdict;
import java.util.Optional;

/**
 * Runs one case on one backend and judges it: the single path shared by the JUnit suite and the CLI,
 * so both skip, pass and fail for the same reasons.
 */
public final class CaseRunner {

    private final Backend backend;
    private final KernelVersion kernel;

    /**
     * @param kernel the kernel whose behaviour the backend shows; cases outside their range are skipped.
     *               Null runs every case whatever its range (to see what a kernel does with the
     *               expectations of another version: they must fail).
     */
    public CaseRunner(Backend backend, KernelVersion kernel) {
        this.backend = backend;
        this.kernel = kernel;
    }

    public CaseResult run(Case c) {
        if (kernel != null && !c.kernels().contains(kernel)) {
            return CaseResult.skipped(c, backend.name(), "the case applies to kernels " + c.kernels().describe()
                    + "; this is " + kernel);
        }
        Optional<String> cannot = backend.cannotRun(c);
        if (cannot.isPresent()) {
            return CaseResult.skipped(c, backend.name(), cannot.get());
        }
        try {
            return CaseResult.judged(Verdict.judge(c, backend.run(c)));
        } catch (TargetLost e) {
            return CaseResult.broken(c, backend.name(), e.getMessage());
        }
    }
}
