package io.msrconf.pipeline;

import io.msrconf.abi.Msr;
import io.msrconf.backend.AccessOutcome;
import io.msrconf.guest.GuestResult;
import io.msrconf.backend.MsrExit;
import io.msrconf.backend.Observation;
import io.msrconf.backend.RunEnd;
import io.msrconf.backend.StepOutcome;
import io.msrconf.spec.Access;
import io.msrconf.spec.Case;
import io.msrconf.spec.Step;
import io.msrconf.verdict.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Compares what real KVM and the reference model did for the same case. Observations are compared in
 * a normal form that keeps everything a guest or userspace can see, except what no model can
 * reproduce: values of MSRs that count time, and the wording and register dump of a crash (its kind
 * is kept).
 */
public final class Differential {

    /** IA32_TSC: its value depends on when it is read. */
    static final Set<Integer> TIME_DEPENDENT_MSRS = Set.of(Msr.MSR_IA32_TSC);
    /** How the normal form marks an access whose outcome the backend (the model) could not know. */
    static final String UNMODELLED = ": not compared, the model cannot know: ";

    private Differential() {
    }

    /** Empty when both backends observed the same; otherwise a side-by-side report that says who disagrees with the case. */
    public static Optional<String> compare(Case c, Observation kvm, Observation model) {
        List<String> left = new ArrayList<>(normalForm(c, kvm));
        List<String> right = normalForm(c, model);
        // An access the model cannot know is left out of the comparison: KVM's line takes the model's.
        for (int i = 0; i < Math.min(left.size(), right.size()); i++) {
            int at = right.get(i).indexOf(UNMODELLED);
            if (at > 0 && left.get(i).startsWith(right.get(i).substring(0, at) + ": ")) {
                left.set(i, right.get(i));
            }
        }
        if (left.equals(right)) {
            return Optional.empty();
        }
        StringBuilder sb = new StringBuilder();
        sb.append(c.id()).append(": KVM and the reference model disagree\n");
        int width = left.stream().mapToInt(String::length).max().orElse(10);
        sb.append(String.format("  %-" + width + "s | %s%n", kvm.backend(), model.backend()));
        for (int i = 0; i < Math.max(left.size(), right.size()); i++) {
            String l = i < left.size() ? left.get(i) : "";
            String r = i < right.size() ? right.get(i) : "";
            sb.append(l.equals(r) ? "  " : "! ").append(String.format("%-" + width + "s | %s%n", l, r));
        }
        boolean kvmConforms = Verdict.judge(c, kvm).passed();
        boolean modelConforms = Verdict.judge(c, model).passed();
        sb.append(kvmConforms && !modelConforms ? "KVM matches the case's expectation, the model does not: a model bug."
                : !kvmConforms && modelConforms ? "The model matches the case's expectation, KVM does not: a kernel deviation."
                : kvmConforms ? "Both match the case's expectation: the case does not pin this difference down."
                : "Neither matches the case's expectation.");
        return Optional.of(sb.toString());
    }

    /** One line per step and per access. */
    public static List<String> normalForm(Case c, Observation o) {
        List<String> lines = new ArrayList<>();
        for (int s = 0; s < o.steps().size(); s++) {
            StepOutcome out = o.steps().get(s);
            String step = "step " + (s + 1) + ": ";
            if (out instanceof StepOutcome.GuestRan ran) {
                List<Access> accesses = s < c.steps().size() && c.steps().get(s) instanceof Step.RunGuest r ? r.accesses() : List.of();
                lines.add(step + "run " + endKind(ran.end()));
                Step.Resume resume = s < c.steps().size() && c.steps().get(s) instanceof Step.RunGuest r ? r.resume() : null;
                if (ran.resumed() != null && resume != null && resume.inExit() != null) {
                    lines.add("  " + resume.inExit().describe() + " (answered)" + (ran.resumed().unmodelled() != null
                            ? UNMODELLED + ran.resumed().unmodelled() : ": " + ran.resumed().describe()));
                }
                for (int i = 0; i < ran.accesses().size(); i++) {
                    AccessOutcome a = ran.accesses().get(i);
                    boolean timeDependent = i < accesses.size() && TIME_DEPENDENT_MSRS.contains(accesses.get(i).index());
                    String result = timeDependent && a.result() instanceof GuestResult.Completed
                            ? "completed (the value counts time: not compared)" : a.result().describe();
                    String exits = a.exits().stream().map(MsrExit::describe).collect(Collectors.joining(", then "));
                    String what = i < accesses.size() ? accesses.get(i).describe() : "access " + (i + 1);
                    lines.add(a.unmodelled() != null ? "  " + what + UNMODELLED + a.unmodelled()
                            : "  " + what + ": " + (exits.isEmpty() ? result : exits + ", then " + result));
                }
            } else {
                lines.add(step + out.describe());
            }
        }
        return lines;
    }

    private static String endKind(RunEnd end) {
        if (end instanceof RunEnd.Crashed) {
            return "crashed";
        }
        if (end instanceof RunEnd.UnexpectedException u) {
            return "unexpected exception " + u.vector() + " at " + u.symbol();
        }
        if (end instanceof RunEnd.EmulationFailed e) {
            // not its data: KVM's diagnostics (6.12: flags, the instruction bytes, the vendor's exit information)
            return new RunEnd.EmulationFailed(e.entry(), List.of()).describe();
        }
        return end.describe();
    }
}
