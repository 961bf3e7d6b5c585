package io.msrconf.pipeline;

/**
 * What a front end or report writer learns while a run goes on. Every method has a default, so a
 * listener implements what it uses. The CLI's console lines, the summary JSON and the Allure results are
 * listeners; a listener that fails fails the run (an output that cannot be written is an error).
 */
public interface RunListener {

    /** The run is about to start: the environment the summary will carry. */
    default void runStarted(java.util.Map<String, String> environment) {
    }

    /** One test is done. */
    default void testFinished(TestResult result) {
    }

    /** Every test is done. */
    default void runFinished(RunSummary summary) {
    }

    /** Several listeners as one, called in order. */
    static RunListener all(java.util.List<RunListener> listeners) {
        return new RunListener() {
            @Override
            public void runStarted(java.util.Map<String, String> environment) {
                listeners.forEach(l -> l.runStarted(environment));
            }

            @Override
            public void testFinished(TestResult result) {
                listeners.forEach(l -> l.testFinished(result));
            }

            @Override
            public void runFinished(RunSummary summary) {
                listeners.forEach(l -> l.runFinished(summary));
            }
        };
    }
}
