package io.msrconf.verdict;

/**
 * One way an observation differs from a case's expectation: a one-sentence explanation a kernel
 * developer can act on, and its kind (what triage sorts by).
 */
public record Mismatch(Kind kind, String step, String message) {

    public enum Kind {
        /** A denial was expected (exit or fault) and the access went through: the filter leaked. */
        FILTER_NOT_ENFORCED,
        /** The access was expected to go through and was denied. */
        FILTER_OVER_ENFORCED,
        /** An access to the x2APIC range 0x800-0x8ff behaved otherwise than the exemption says. */
        X2APIC_EXEMPTION,
        /** An exit happened with the wrong reason, index or data, or an exit was expected and a fault happened. */
        WRONG_EXIT,
        /** The access completed as expected but with a different value, or faulted with another vector. */
        WRONG_RESULT,
        /** An ioctl returned another result than documented. */
        IOCTL_RESULT,
        /** The guest did not run to its end: timeout, crash, unexpected exception. */
        RUN_FAILED
    }

    /** The tag triage sorts by (reports/categories.json matches "triage: TAG"). */
    public String triageTag() {
        return kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    @Override
    public String toString() {
        return step + ": " + message;
    }
}
