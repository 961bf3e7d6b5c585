package io.msrconf.cli;

import io.msrconf.fuzz.Campaign;
import io.msrconf.report.SuiteRun;
import io.msrconf.target.OpenedTarget;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code msrconf fuzz}: a differential campaign. Draws cases from the generators the property uses, with
 * a seeded random so that a seed repeats the campaign exactly, runs each on KVM and on the model, and
 * checks the same property (DifferentialCheck). No shrinking here: a disagreement is printed as found, as
 * a spec case; the JUnit property shrinks.
 */
@Command(name = "fuzz", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Differential fuzzing: random filters, vCPU setups and accesses on KVM and on the model (default: "
                + "60 seconds). Prints every disagreement as a spec case, then throughput and the seed.",
            "Status 1 when KVM, the model and the filter oracle disagreed; 3 when nothing could be checked (no usable KVM)."})
public final class FuzzCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @ArgGroup(exclusive = true)
    Budget budget = new Budget();

    static final class Budget {
        @Option(names = "--seconds", paramLabel = "N", description = "run for N seconds (default 60)")
        Long seconds;

        @Option(names = "--tries", paramLabel = "N", description = "run N cases")
        Long tries;
    }

    @Option(names = "--seed", paramLabel = "S", description = "the seed (default: a new one; printed, to repeat the campaign)")
    Long seed;

    @Mixin
    KvmOption kvm;

    @Override
    public Integer call() {
        CommandLine cl = spec.commandLine();
        if (budget.seconds != null && budget.seconds <= 0 || budget.tries != null && budget.tries <= 0) {
            throw new CommandLine.ParameterException(cl, "--seconds and --tries take a positive number");
        }
        PrintWriter out = cl.getOut();
        SuiteRun.KvmChoice choice = kvm.open(out);
        if (!(choice instanceof SuiteRun.KvmChoice.Opened opened)) {
            cl.getErr().println("msrconf fuzz: nothing can be checked without a KVM"
                    + (choice instanceof SuiteRun.KvmChoice.Unavailable u ? ": " + u.reason() : " (--kvm off)"));
            return ExitStatus.NOTHING_TESTED;
        }
        try (OpenedTarget target = opened.target()) {
            return campaign(out, target);
        }
    }

    private int campaign(PrintWriter out, OpenedTarget target) {
        CommandLine cl = spec.commandLine();
        long s = seed != null ? seed : ThreadLocalRandom.current().nextLong();
        long seconds = budget.seconds == null ? 60 : budget.seconds;
        out.println("msrconf fuzz: seed " + s + ", " + (budget.tries != null ? budget.tries + " cases" : seconds + " seconds"));
        Campaign.Stats st = Campaign.run(target.kvm(), s, budget.tries, seconds, new java.io.PrintStream(new WriterOutputStream(out), true));
        long checked = st.cases() - st.skipped();
        out.printf("%d cases (%d checked, %d skipped), %d accesses in %.1f s: %.1f cases/s, %.1f accesses/s; %d disagreements%n",
                st.cases(), checked, st.skipped(), st.accesses(), st.seconds(), checked / st.seconds(), st.accesses() / st.seconds(),
                st.disagreements());
        st.skipReasons().forEach((reason, n) -> out.println("  skipped " + n + "x: " + reason));
        out.println("seed " + s + " (repeat: msrconf fuzz --tries " + st.cases() + " --seed " + s + ")");
        if (st.disagreements() > 0) {
            return ExitStatus.FAILED;
        }
        if (checked == 0) {
            cl.getErr().println("msrconf fuzz: nothing was checked: every generated case was skipped ("
                    + String.join("; ", st.skipReasons().keySet()) + ")");
            return ExitStatus.NOTHING_TESTED;
        }
        return ExitStatus.OK;
    }
}
