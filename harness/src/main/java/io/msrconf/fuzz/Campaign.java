package io.msrconf.fuzz;

import io.msrconf.kvm.Kvm;
import io.msrconf.spec.Case;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * A fuzz campaign outside JUnit: generated cases run on KVM and the model until a count or a time is
 * spent, every disagreement printed as a spec case. Used by {@code msrconf fuzz} and by the benchmark.
 */
public final class Campaign {

    /** What a campaign did. */
    public record Stats(long cases, long skipped, long accesses, long disagreements, double seconds, Map<String, Long> skipReasons) {

        public double accessesPerSecond() {
            return accesses / seconds;
        }

        public double checkedCasesPerSecond() {
            return (cases - skipped) / seconds;
        }
    }

    /**
     * Longer runs than the property's (which keeps them short to shrink well): a case's fixed costs
     * (filter install, VM reset, the model's fresh RAM) are paid once per run, not once per access.
     */
    static final int ACCESSES_PER_CASE = 256;

    private Campaign() {
    }

    /**
     * @param tries   how many cases, or null to run until {@code seconds} are spent
     * @param report  where disagreements are printed
     */
    public static Stats run(Kvm kvm, long seed, Long tries, long seconds, PrintStream report) {
        Random random = new Random(seed);
        long started = System.nanoTime();
        long deadline = started + seconds * 1_000_000_000L;
        long cases = 0;
        long skipped = 0;
        long accesses = 0;
        long disagreements = 0;
        Map<String, Long> skipReasons = new LinkedHashMap<>();
        try (FuzzRunner runner = FuzzRunner.open(kvm)) {
            while (tries != null ? cases < tries : System.nanoTime() - deadline < 0) {
                Case c = Generators.next(random, ACCESSES_PER_CASE / 2, ACCESSES_PER_CASE);
                cases++;
                FuzzRunner.Result result = runner.run(c);
                if (result instanceof FuzzRunner.Skipped s) {
                    skipped++;
                    skipReasons.merge(s.reason(), 1L, Long::sum);
                    continue;
                }
                FuzzRunner.Checked checked = (FuzzRunner.Checked) result;
                accesses += checked.accesses();
                if (!checked.agrees()) {
                    disagreements++;
                    report.println(DifferentialCheck.report(c, checked.kvm(), checked.model(), checked.problems(),
                            "fuzz.seed-" + Long.toUnsignedString(seed) + "-case-" + cases, seed));
                }
            }
        }
        double elapsed = Math.max(1e-9, (System.nanoTime() - started) / 1e9);
        return new Stats(cases, skipped, accesses, disagreements, elapsed, skipReasons);
    }
}
