package io.msrconf.kernelmutants;

import java.nio.file.Path;
import java.util.List;

/** Runs the suite on the kernel with a module tree: in a campaign, the kernel booted under QEMU; in tests, a fake. */
public interface SuiteRunner {

    /**
     * The suite's outcome on one kernel.
     *
     * @param ran      whether the suite finished (false: the kernel did not boot, crashed, or timed out)
     * @param failed   the failed cases, as "id [backend]"
     * @param passed   how many cases passed
     * @param failure  why it did not run, when it did not
     */
    record Outcome(boolean ran, List<String> failed, int passed, String failure) {
        public Outcome {
            failed = List.copyOf(failed);
        }
    }

    /**
     * @param name    a name unique in the campaign (the mutant's file name, or "baseline")
     * @param modules the lib/modules/RELEASE tree
     * @param runDir  where this run's outputs go (a directory of its own)
     */
    Outcome run(String name, Path modules, Path runDir) throws InterruptedException;

    /**
     * How long the unmutated kernel took to boot, run the suite (and the selftest, where the runner runs it): a runner
     * may bound each mutant's run by it, as mutation tools bound a mutant's tests by the unmutated run, so that a mutant
     * that hangs its kernel costs a few times a normal run, not the whole timeout. Returns what it decided, to print.
     */
    default java.util.Optional<String> calibrate(java.time.Duration baselineRun) {
        return java.util.Optional.empty();
    }
}
