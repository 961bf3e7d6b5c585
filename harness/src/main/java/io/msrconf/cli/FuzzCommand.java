package io.msrconf.cli;

import io.msrconf.fuzz.Campaign;
import java.io.PrintStream;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code msrconf fuzz}: a differential campaign outside JUnit. Draws cases from the jqwik generators
 * the property uses, with a seeded {@link Random} so a seed repeats the campaign exactly, runs each on
 * KVM and on the model, and checks the same property (DifferentialCheck). No shrinking here: a
 * disagreement is printed as found, as a spec case; the JUnit property shrinks.
 */
public final class FuzzCommand {

    static final String USAGE = """
                   msrconf fuzz [--seconds N | --tries N] [--seed S]
                     differential fuzzing: random filters, vCPU setups and accesses on KVM and on the model
                     (default: 60 seconds); prints every disagreement as a spec case, then throughput and
                     the seed; exit status 1 when KVM, the model and the filter oracle disagreed
            """;

    private static final int DEFAULT_SECONDS = 60;

    private FuzzCommand() {
    }

    /** Exit status: 0 without disagreement, 1 with one, 2 on a usage error. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Long seconds = null;
        Long tries = null;
        long seed = ThreadLocalRandom.current().nextLong();
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length || !(args[i].equals("--seconds") || args[i].equals("--tries") || args[i].equals("--seed"))) {
                return usage(err, "unknown or incomplete option '" + args[i] + "'");
            }
            long value;
            try {
                value = Long.parseLong(args[i + 1]);
            } catch (NumberFormatException e) {
                return usage(err, args[i] + " takes an integer, not '" + args[i + 1] + "'");
            }
            switch (args[i]) {
                case "--seconds" -> seconds = value;
                case "--tries" -> tries = value;
                default -> seed = value;
            }
        }
        if (seconds != null && tries != null) {
            return usage(err, "give --seconds or --tries, not both");
        }
        if (seconds != null && seconds <= 0 || tries != null && tries <= 0) {
            return usage(err, "--seconds and --tries take a positive number");
        }
        long budgetSeconds = seconds == null ? DEFAULT_SECONDS : seconds;
        out.println("msrconf fuzz: seed " + seed + ", " + (tries != null ? tries + " cases" : budgetSeconds + " seconds"));

        Campaign.Stats st = Campaign.run(seed, tries, budgetSeconds, out);
        long cases = st.cases();
        long skipped = st.skipped();
        long accesses = st.accesses();
        long disagreements = st.disagreements();
        double elapsed = st.seconds();
        Map<String, Long> skipReasons = st.skipReasons();
        long checkedCases = cases - skipped;
        out.printf("%d cases (%d checked, %d skipped), %d accesses in %.1f s: %.1f cases/s, %.1f accesses/s; %d disagreements%n",
                cases, checkedCases, skipped, accesses, elapsed, checkedCases / elapsed, accesses / elapsed, disagreements);
        skipReasons.forEach((reason, n) -> out.println("  skipped " + n + "x: " + reason));
        out.println("seed " + seed + " (repeat: msrconf fuzz --tries " + cases + " --seed " + seed + ")");
        return disagreements == 0 ? 0 : 1;
    }

    private static int usage(PrintStream err, String problem) {
        err.println("msrconf fuzz: " + problem);
        err.print("usage: " + USAGE.stripLeading());
        return 2;
    }
}
