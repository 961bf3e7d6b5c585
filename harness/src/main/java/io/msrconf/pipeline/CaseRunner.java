package io.msrconf.pipeline;

import io.msrconf.backend.Backend;
import io.msrconf.backend.TargetLost;
import io.msrconf.spec.Case;
import io.msrconf.spec.KernelVersion;
import io.msrconf.verdict.Verdict;
import java.util.Optional;
import java.util.function.Function;
import java.util.List;

/**
 * Runs one case on one backend and judges it: the single path shared by the JUnit suite and the CLI,
 * so both skip, pass and fail for the same reasons.
 */
public final class CaseRunner {

    private final Backend backend;
    private final KernelVersion kernel;
    private final List<String> kvmModules;
    private final Function<String, Optional<String>> moduleParameter;
    private final String cpuVendor;

    /**
     * @param kernel the kernel whose behaviour the backend shows; cases outside their range are skipped.
     *               Null runs every case whatever its range (to see what a kernel does with the
     *               expectations of another version: they must fail).
     */
    public CaseRunner(Backend backend, KernelVersion kernel) {
        this(backend, kernel, null, null, "unknown");
    }

    /**
     * @param kvmModules      the vendor modules of the KVM the backend's results are of, and
     * @param moduleParameter its module parameters by "module.param": what a case's requires: is checked
     *                        against (null: unknown, and a case with requirements is skipped)
     * @param cpuVendor       the CPUID vendor its guests get (requires: cpu-vendor)
     */
    public CaseRunner(Backend backend, KernelVersion kernel, List<String> kvmModules, Function<String, Optional<String>> moduleParameter,
                      String cpuVendor) {
        this.backend = backend;
        this.kernel = kernel;
        this.kvmModules = kvmModules;
        this.moduleParameter = moduleParameter;
        this.cpuVendor = cpuVendor;
    }

    public CaseResult run(Case c) {
        if (kernel != null && !c.kernels().contains(kernel)) {
            return CaseResult.skipped(c, backend.name(), "the case applies to kernels " + c.kernels().describe()
                    + "; this is " + kernel);
        }
        if (c.requires().askTheTarget()) {
            Optional<String> unmet = kvmModules == null ? Optional.of("the case has requirements (requires:) and nothing here says"
                    + " which KVM module and parameters these results are of") : c.requires().unmetBy(kvmModules, moduleParameter, cpuVendor);
            if (unmet.isPresent()) {
                return CaseResult.skipped(c, backend.name(), unmet.get());
            }
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
