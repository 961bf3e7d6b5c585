package io.msrconf.pipeline;

import java.util.List;

/** Every test of a run, in the order they ran, and the summary made of them. */
public record RunResult(List<TestResult> results, RunSummary summary) {

    public RunResult {
        results = List.copyOf(results);
    }
}
