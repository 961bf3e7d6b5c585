package io.msrconf.report;

import java.util.List;
import java.util.Map;

/**
 * The machine-readable result of one run: the environment it ran in (kernel release, KVM module,
 * CPU, ...) and every case's verdict and observation on every backend. Written as JSON next to the
 * Allure results; {@code msrconf compare} diffs two of them.
 */
public record RunSummary(Map<String, String> environment, List<CaseEntry> cases) {

    public RunSummary {
        environment = Map.copyOf(environment);
        cases = List.copyOf(cases);
    }

    /** One case on one backend. */
    public record CaseEntry(
            String id,
            String backend,
            Status status,
            String title,
            String citation,
            /** The failure explanation, the skip reason, or the known deviation's evidence; empty when passed. */
            String message,
            /** The Mismatch.Kind names of a failure, for triage. */
            List<String> mismatchKinds,
            /** What the backend observed, one line per step and access (Differential's normal form); empty when skipped. */
            List<String> observation) {

        public CaseEntry {
            mismatchKinds = List.copyOf(mismatchKinds);
            observation = List.copyOf(observation);
        }

        /** The key a case is compared under across runs. */
        public String key() {
            return id + " [" + backend + "]";
        }
    }

    public enum Status {
        PASSED,
        FAILED,
        SKIPPED,
        /** Failed as a known-deviations entry says it does on this kernel: reported, not a CI failure. */
        KNOWN_DEVIATION,
        /** A known deviation that no longer reproduces: flagged so the entry is reviewed. */
        DEVIATION_NOT_REPRODUCED;

        /** Whether this outcome makes a run (or a bisection step) bad. */
        public boolean isFailure() {
            return this == FAILED || this == DEVIATION_NOT_REPRODUCED;
        }
    }
}
