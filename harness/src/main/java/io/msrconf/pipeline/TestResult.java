package io.msrconf.pipeline;

import io.msrconf.backend.Observation;
import io.msrconf.spec.Case;
import io.msrconf.verdict.Verdict;
import java.util.List;

/**
 * One test of a run, as every front end and report sees it: a case on a backend, a KVM-versus-model
 * comparison of a case, or a malformed input. The same list of these is what the console prints, what
 * the summary counts and what the Allure report shows, so the three always agree.
 *
 * @param spec        the case; null for an input error
 * @param verdict     null unless the case ran and was judged
 * @param observation what the backend observed; null unless it ran
 * @param target      the target the result is of; null for an input error
 */
public record TestResult(Kind kind, String id, String backend, RunSummary.Status status, String message, Case spec,
                         Verdict verdict, Observation observation, TargetInfo target) {

    /** The backend name of a KVM-versus-model comparison. */
    public static final String DIFFERENTIAL = "kvm-vs-model";

    public enum Kind {
        /** A case on a backend. */
        CASE,
        /** KVM and the reference model observed the same for a case (or not). */
        DIFFERENTIAL,
        /** A malformed spec or known-deviations file: a failure of its own, so nothing disappears silently. */
        INPUT_ERROR
    }

    /** "id [backend] title", the line a front end shows before the message. */
    public String headline() {
        return id + " [" + backend + "]" + (spec == null ? "" : " " + spec.title());
    }

    /** The message without a first line that repeats the headline (a failure's message starts with it). */
    public String detail() {
        String first = message.lines().findFirst().orElse("");
        return first.startsWith(id + " [" + backend + "]") ? message.substring(Math.min(message.length(), first.length() + 1)) : message;
    }

    /** This result as a line of the machine-readable summary. */
    public RunSummary.CaseEntry entry() {
        List<String> kinds = verdict == null ? List.of() : verdict.mismatches().stream().map(m -> m.kind().name()).distinct().toList();
        List<String> observed = observation == null || spec == null ? List.of() : Differential.normalForm(spec, observation);
        return new RunSummary.CaseEntry(id, backend, status, spec == null ? "malformed input" : spec.title(),
                spec == null ? "" : spec.citation().text(), message, kinds, observed);
    }
}
