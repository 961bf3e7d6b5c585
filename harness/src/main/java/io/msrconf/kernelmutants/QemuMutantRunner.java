package io.msrconf.kernelmutants;

import io.msrconf.kvm.KvmException;
import io.msrconf.kvm.agent.AgentKvm;
import io.msrconf.matrix.KernelMatrix;
import io.msrconf.pipeline.RunSummary;
import io.msrconf.target.KvmTarget;
import io.msrconf.target.OpenedTarget;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * msrconf's suite and the kernel's selftest on one mutant, in one guest: the stock kernel image booted under QEMU with
 * the mutant's module tree (and module parameters), the selftest run first by the agent, then every case through the
 * kernel matrix's runner (KVM, the model, KVM against the model). One boot per mutant instead of two, and both verdicts
 * about the very same loaded modules. A selftest that leaves the guest dead still gets its verdict (killed), and the
 * suite a fresh boot.
 *
 * <p>The campaign asks for the suite's outcome, then for the selftest's: {@link #run(String, Path, Path)} runs both and
 * keeps the selftest's verdict, which {@link #run(String, Path)} hands over. Without a selftest executable only the suite runs.
 */
public final class QemuMutantRunner implements SuiteRunner, SelftestRunner {

    private final Path image;
    private final Path specs;
    /** Which cases run (a regex of ids; empty: all). */
    private final String only;
    private final Path kernelCache;
    /** The bound on a kernel's suite and on its selftest, as given (--timeout). */
    private final Duration timeout;
    /** The bound on a mutant's suite and on its selftest: {@link #timeout}, until {@link #calibrate} shortens it. */
    private volatile Duration perMutant;
    private final Optional<Path> selftest;
    private final Map<String, SelftestRunner.Outcome> selftestVerdicts = new ConcurrentHashMap<>();

    /** @param selftest the statically linked selftest (ENV/selftests/userspace_msr_exit_test), or empty: none */
    public QemuMutantRunner(Path image, Path specs, String only, Path kernelCache, Duration timeout, Optional<Path> selftest) {
        this.image = image;
        this.specs = specs;
        this.only = only;
        this.kernelCache = kernelCache;
        this.timeout = timeout;
        this.perMutant = timeout;
        this.selftest = selftest;
    }

    /**
     * Each mutant's suite and selftest get {@value #CALIBRATION_FACTOR} times the unmutated kernel's whole run, at least
     * {@link #CALIBRATION_FLOOR} and at most --timeout: a normal run under a campaign's load takes up to about twice the
     * unmutated one, while a mutant that hangs its guest would otherwise hold a runner for --timeout twice.
     */
    @Override
    public Optional<String> calibrate(Duration baselineRun) {
        Duration bound = baselineRun.multipliedBy(CALIBRATION_FACTOR);
        bound = bound.compareTo(CALIBRATION_FLOOR) < 0 ? CALIBRATION_FLOOR : bound;
        perMutant = bound.compareTo(timeout) > 0 ? timeout : bound;
        return Optional.of("each mutant's suite and selftest get " + perMutant.toSeconds() + " s (" + CALIBRATION_FACTOR
                + " times the unmutated kernel's " + baselineRun.toSeconds() + " s, at least " + CALIBRATION_FLOOR.toSeconds()
                + " s, at most --timeout " + timeout.toSeconds() + " s); one that does not finish in time is killed");
    }

    static final int CALIBRATION_FACTOR = 4;
    static final Duration CALIBRATION_FLOOR = Duration.ofSeconds(30);

    /** The suite (each run has its own output directory: the matrix names a kernel by its image, which every mutant shares). */
    @Override
    public SuiteRunner.Outcome run(String name, Path modules, Path runDir) {
        KvmTarget target = KvmTarget.parse(image + ",modules=" + modules);
        Duration bound = perMutant;   // --timeout until calibrated, which the campaign does after the baseline
        KernelMatrix.BeforeTheSuite timed = selftest
                .map(exe -> new KernelMatrix.BeforeTheSuite(Map.of(SELFTEST, exe), guest -> selftestVerdicts.put(name, runSelftest(guest, bound))))
                .orElse(KernelMatrix.BeforeTheSuite.NOTHING);
        KernelMatrix.KernelResult r = KernelMatrix.runOne(target, new KernelMatrix.Options(specs, only, runDir, kernelCache, bound, 1), null, timed);
        if (r.summary().isEmpty()) {
            return new SuiteRunner.Outcome(false, List.of(), 0, r.failure());
        }
        RunSummary s = r.summary().get();
        List<String> failed = s.cases().stream().filter(c -> c.status().isFailure()).map(RunSummary.CaseEntry::key).toList();
        int passed = (int) s.cases().stream().filter(c -> c.status() == RunSummary.Status.PASSED).count();
        return new SuiteRunner.Outcome(true, failed, passed, "");
    }

    /** The selftest's verdict from the suite's guest; "did not run" when the kernel never booted to run it. */
    @Override
    public SelftestRunner.Outcome run(String name, Path modules) {
        SelftestRunner.Outcome o = selftestVerdicts.remove(name);
        return o != null ? o : new SelftestRunner.Outcome(false, List.of(), 0, "the kernel did not boot to run the selftest");
    }

    private SelftestRunner.Outcome runSelftest(OpenedTarget guest, Duration bound) {
        try {
            AgentKvm.ProgramRun run = guest.runProgram(SELFTEST, bound);
            if (run.timedOut()) {
                return new SelftestRunner.Outcome(false, List.of(), 0, "the selftest ran past " + bound.toSeconds() + " s and was killed");
            }
            return SelftestRunner.parse(run.output(), run.status());
        } catch (KvmException e) {
            return new SelftestRunner.Outcome(false, List.of(), 0, "the kernel did not run the selftest: " + e.getMessage()
                    + guest.lastWords());
        }
    }
}
