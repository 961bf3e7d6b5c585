package io.msrconf.fuzz;

import io.msrconf.backend.AccessOutcome;
import io.msrconf.guest.GuestResult;
import io.msrconf.backend.MsrExit;
import io.msrconf.backend.Observation;
import io.msrconf.backend.RunEnd;
import io.msrconf.backend.StepOutcome;
import io.msrconf.filter.MsrFilter;
import io.msrconf.abi.Errno;
import io.msrconf.spec.Access;
import io.msrconf.spec.Case;
import io.msrconf.abi.ExitReason;
import io.msrconf.spec.GuestExpectation;
import io.msrconf.spec.SpecWriter;
import io.msrconf.spec.Step;
import io.msrconf.pipeline.Differential;
import java.util.ArrayList;
import java.util.List;

/**
 * The differential property for one case: (a) KVM and the model observe the same
 * ({@link Differential}), and (b) each agrees with {@link FilterOracle}: the ioctl's
 * errno, and for every access a denial shows (FILTER exit, or #GP when FILTER exits are off) and an
 * allowed access never exits with reason FILTER. The case's own expectations are not consulted.
 */
public final class DifferentialCheck {

    private DifferentialCheck() {
    }

    /** Everything wrong, one sentence each; empty when KVM, the model and the oracle all agree. */
    public static List<String> problems(Case c, Observation kvm, Observation model) {
        List<String> problems = new ArrayList<>();
        Differential.compare(c, kvm, model).ifPresent(problems::add);
        problems.addAll(againstOracle(c, kvm));
        problems.addAll(againstOracle(c, model));
        return problems;
    }

    static List<String> againstOracle(Case c, Observation o) {
        List<String> problems = new ArrayList<>();
        boolean filterExits = c.vcpu().userspaceExits().contains(ExitReason.FILTER);
        MsrFilter installed = null;
        for (int s = 0; s < c.steps().size(); s++) {
            Step step = c.steps().get(s);
            StepOutcome outcome = s < o.steps().size() ? o.steps().get(s) : null;
            String where = o.backend() + ", step " + (s + 1) + ": ";
            if (step instanceof Step.SetFilter set && outcome instanceof StepOutcome.FilterSet got) {
                int expected = set.filter() == null ? io.msrconf.abi.Errno.EFAULT : FilterOracle.errno(set.filter());
                if (got.errno() != expected) {
                    problems.add(where + "KVM_X86_SET_MSR_FILTER returned " + Errno.name(got.errno())
                            + ", the oracle expects " + Errno.name(expected));
                }
                // Judge the accesses against the filter the backend says it installed.
                installed = got.errno() == 0 ? set.filter() : installed;
            } else if (step instanceof Step.RunGuest run && outcome instanceof StepOutcome.GuestRan ran) {
                if (!(ran.end() instanceof RunEnd.Reported)) {
                    problems.add(where + "the run did not finish: " + ran.end().describe().lines().findFirst().orElse(""));
                }
                for (int i = 0; i < run.accesses().size() && i < ran.accesses().size(); i++) {
                    Access a = run.accesses().get(i);
                    AccessOutcome got = ran.accesses().get(i);
                    if (got.unmodelled() != null) {
                        continue;   // the model's guess for an access the CPU decides is no claim to check
                    }
                    String problem = FilterOracle.allowed(installed, a.index(), a.op())
                            ? allowedProblem(got) : deniedProblem(a, got, filterExits);
                    if (problem != null) {
                        problems.add(where + a.describe() + ": " + problem + ", got: " + got.describe());
                    }
                }
            } else if (outcome == null || step instanceof Step.SetFilter || step instanceof Step.RunGuest) {
                problems.add(where + "no matching outcome (got " + outcome + ")");
            }
        }
        return problems;
    }

    private static String allowedProblem(AccessOutcome got) {
        return got.exits().stream().anyMatch(e -> e.reason() == ExitReason.FILTER.bit)
                ? "the filter allows it, yet it exited with reason FILTER" : null;
    }

    private static String deniedProblem(Access a, AccessOutcome got, boolean filterExits) {
        if (filterExits) {
            MsrExit first = got.exits().isEmpty() ? null : got.exits().get(0);
            boolean ok = first != null && first.reason() == ExitReason.FILTER.bit && first.index() == a.index() && first.op() == a.op();
            return ok ? null : "the filter denies it: expected a FILTER exit";
        }
        boolean ok = got.exits().isEmpty() && got.result() instanceof GuestResult.Faulted f && f.vector() == GuestExpectation.Faults.GP;
        return ok ? null : "the filter denies it and FILTER exits are off: expected #GP without an exit";
    }

    /** The disagreement for a person: what is wrong, both observations, and the case as spec YAML expecting what KVM saw. */
    public static String report(Case c, Observation kvm, Observation model, List<String> problems, String id, long seed) {
        StringBuilder sb = new StringBuilder();
        sb.append("DISAGREEMENT ").append(id).append(" (seed ").append(seed).append(")\n");
        problems.forEach(p -> sb.append("  - ").append(p.replace("\n", "\n    ")).append('\n'));
        sb.append(describe(c, kvm)).append(describe(c, model));
        sb.append("spec case (expect = what KVM observed; review against the documentation before adding it to specs/):\n");
        try {
            sb.append(SpecWriter.caseItem(ObservedCase.expectingObserved(c, kvm, id)));
        } catch (IllegalArgumentException e) {
            sb.append("  (not expressible as a spec case: ").append(e.getMessage()).append(")\n");
        }
        return sb.toString();
    }

    static String describe(Case c, Observation o) {
        StringBuilder sb = new StringBuilder(o.backend()).append(" observed:\n");
        for (int s = 0; s < o.steps().size(); s++) {
            StepOutcome out = o.steps().get(s);
            sb.append("  step ").append(s + 1).append(": ");
            if (out instanceof StepOutcome.FilterSet f) {
                sb.append("KVM_X86_SET_MSR_FILTER -> ").append(Errno.name(f.errno())).append('\n');
            } else if (out instanceof StepOutcome.GuestRan ran) {
                sb.append("run: ").append(ran.end().describe().replace("\n", "\n      ")).append('\n');
                List<Access> accesses = s < c.steps().size() && c.steps().get(s) instanceof Step.RunGuest r ? r.accesses() : List.of();
                for (int i = 0; i < ran.accesses().size(); i++) {
                    String what = i < accesses.size() ? accesses.get(i).describe() : "access " + (i + 1);
                    sb.append("    ").append(what).append(": ").append(ran.accesses().get(i).describe()).append('\n');
                }
            } else {
                sb.append(out.describe()).append('\n');
            }
        }
        return sb.toString();
    }
}
