package io.msrconf.pipeline;

import io.msrconf.backend.Observation;
import io.msrconf.spec.Case;
import io.msrconf.verdict.Verdict;

/**
 * The result of one case on one backend. A skip always carries its reason; a pass or failure
 * carries the verdict (and so the observation).
 */
public record CaseResult(Case spec, String backend, Status status, String skipReason, Verdict verdict) {

    /** BROKEN: the backend lost its KVM in the middle of the case; {@code skipReason} then says how. */
    public enum Status { PASSED, FAILED, SKIPPED, BROKEN }

    public static CaseResult skipped(Case c, String backend, String reason) {
        return new CaseResult(c, backend, Status.SKIPPED, reason, null);
    }

    /** The case could not be judged: its KVM went away while it ran (a guest kernel crashed or hung). */
    public static CaseResult broken(Case c, String backend, String why) {
        return new CaseResult(c, backend, Status.BROKEN, why, null);
    }

    public static CaseResult judged(Verdict v) {
        return new CaseResult(v.spec(), v.observation().backend(), v.passed() ? Status.PASSED : Status.FAILED, null, v);
    }

    public Observation observation() {
        return verdict == null ? null : verdict.observation();
    }

    /** One paragraph: status, id, and the reason or the explanation. */
    public String describe() {
        String head = status + " " + spec.id() + " [" + backend + "] " + spec.title();
        return switch (status) {
            case PASSED -> head;
            case SKIPPED -> head + "\n    skipped: " + skipReason;
            case BROKEN -> head + "\n    broken: " + skipReason;
            case FAILED -> head + "\n    " + verdict.explain().replace("\n", "\n    ") + "\n    checks: " + spec.citation().text().replace("\n", "\n      ");
        };
    }
}
