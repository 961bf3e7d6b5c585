package io.msrconf.verdict;

import org.assertj.core.api.AbstractAssert;

/** AssertJ entry point for verdicts: a failure message is the verdict's own explanation, nothing else. */
public final class VerdictAssert extends AbstractAssert<VerdictAssert, Verdict> {

    private VerdictAssert(Verdict actual) {
        super(actual, VerdictAssert.class);
    }

    public static VerdictAssert assertThat(Verdict actual) {
        return new VerdictAssert(actual);
    }

    /**
     * The message a failed case shows: what failed, why, what it checks, and a last line
     * "triage: TAG" that reports/categories.json sorts failures by.
     */
    public static String failureMessage(Verdict v) {
        return v.spec().id() + " [" + v.observation().backend() + "] " + v.spec().title() + "\n" + v.explain()
                + "\nchecks: " + v.spec().citation().strip() + "\ntriage: " + v.triageTag();
    }

    /** The observation meets every expectation of the case. */
    public VerdictAssert conforms() {
        isNotNull();
        if (!actual.passed()) {
            failWithMessage("%s", failureMessage(actual));
        }
        return this;
    }
}
