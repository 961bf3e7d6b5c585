package io.msrconf.pipeline;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

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

        /**
         * The first line of the message that says something: a failure's message starts with a headline
         * repeating the case, a skip's is the reason itself. The title when there is nothing else.
         */
        public String reason() {
            return message.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith(key()))
                    .findFirst().orElse(title);
        }
    }

    /** How many cases ended in each status, in the order of {@link Status}: "44 passed, 4 skipped". */
    public String statusCounts() {
        Map<Status, Long> counts = cases.stream().collect(Collectors.groupingBy(
                CaseEntry::status, () -> new EnumMap<>(Status.class), Collectors.counting()));
        return counts.entrySet().stream().map(e -> e.getValue() + " " + e.getKey().name().toLowerCase().replace('_', ' '))
                .collect(Collectors.joining(", "));
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
