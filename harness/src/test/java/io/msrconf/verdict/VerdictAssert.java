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

    /** The observation meets every expectation of the case. */
    public VerdictAssert conforms() {
        isNotNull();
        if (!actual.passed()) {
            failWithMessage("%s", actual.failureMessage());
        }
        return this;
    }
}
