package io.msrconf.report;

import io.msrconf.pipeline.RunSummary.CaseEntry;
import io.msrconf.pipeline.RunSummary;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * What changed between two runs, case by case: for triaging a kernel change (run before, run after,
 * compare) and for reading a bisection's good and bad steps side by side. Unchanged cases are not listed.
 */
public final class SummaryComparison {

    /** The environment key shown even when it is the same on both sides: the first thing a reader checks. */
    static final String KERNEL_RELEASE = "kernel.release";

    /** The backend field of a malformed-input entry (pipeline.TestResult, Kind.INPUT_ERROR). */
    static final String INPUT_ERROR_BACKEND = "-";

    /** In report order: regressions first. */
    public enum Change {
        /** Not a failure before, a failure after ({@link RunSummary.Status#isFailure()}). */
        REGRESSED,
        /** A malformed spec or known-deviations entry that the run before did not have: cases may be missing because of it. */
        NEW_INPUT_ERROR,
        /** In the run before, absent from the run after: whatever it showed is no longer tested. */
        REMOVED,
        /** A failure before, not after. */
        FIXED,
        /** Any other status change, e.g. passed to skipped or passed to known deviation. */
        STATUS_CHANGED,
        /** The same status, but the backend observed something else. */
        OBSERVATION_CHANGED,
        ADDED,
        /** A malformed input of the run before that the run after no longer has. */
        INPUT_ERROR_GONE
    }

    /** One changed case; {@code before} is null when ADDED, {@code after} when REMOVED. */
    public record CaseChange(String key, Change change, CaseEntry before, CaseEntry after) {
    }

    private final RunSummary before;
    private final RunSummary after;
    private final List<CaseChange> changes;

    private SummaryComparison(RunSummary before, RunSummary after, List<CaseChange> changes) {
        this.before = before;
        this.after = after;
        this.changes = List.copyOf(changes);
    }

    public static SummaryComparison compare(RunSummary before, RunSummary after) {
        return compare(before, Optional.empty(), after, Optional.empty());
    }

    /**
     * Compares one backend's results in {@code before} with one backend's in {@code after}, by case id:
     * KVM with the emulator in one run, or the emulator of one kernel with KVM of another. With both
     * backends empty, every backend is compared with itself (cases keyed by id and backend).
     */
    public static SummaryComparison compare(RunSummary before, Optional<String> beforeBackend, RunSummary after,
                                            Optional<String> afterBackend) {
        boolean byIdOnly = beforeBackend.isPresent() || afterBackend.isPresent();
        Map<String, CaseEntry> was = byKey(before, byIdOnly ? beforeBackend.or(() -> afterBackend) : Optional.empty());
        Map<String, CaseEntry> now = byKey(after, byIdOnly ? afterBackend.or(() -> beforeBackend) : Optional.empty());
        List<CaseChange> changes = new ArrayList<>();
        for (String key : union(was.keySet(), now.keySet())) {
            CaseEntry b = was.get(key);
            CaseEntry a = now.get(key);
            Change change = classify(b, a);
            if (change != null) {
                changes.add(new CaseChange(key, change, b, a));
            }
        }
        changes.sort(Comparator.comparing(CaseChange::change).thenComparing(CaseChange::key));
        return new SummaryComparison(before, after, changes);
    }

    /** The change of one case, or null when it is unchanged. */
    private static Change classify(CaseEntry b, CaseEntry a) {
        boolean inputError = (b != null ? b : a).backend().equals(INPUT_ERROR_BACKEND);
        if (b == null) {
            return inputError ? Change.NEW_INPUT_ERROR : Change.ADDED;
        }
        if (a == null) {
            return inputError ? Change.INPUT_ERROR_GONE : Change.REMOVED;
        }
        if (!b.status().isFailure() && a.status().isFailure()) {
            return Change.REGRESSED;
        }
        if (b.status().isFailure() && !a.status().isFailure()) {
            return Change.FIXED;
        }
        if (b.status() != a.status()) {
            return Change.STATUS_CHANGED;
        }
        return b.observation().equals(a.observation()) ? null : Change.OBSERVATION_CHANGED;
    }

    public List<CaseChange> changes() {
        return changes;
    }

    public boolean regressed() {
        return changes.stream().anyMatch(c -> c.change() == Change.REGRESSED);
    }

    /**
     * Whether the run after is worse in a way a gate must stop on: a case regressed, a case of the run
     * before is missing, or a malformed input appeared.
     */
    public boolean failed() {
        return changes.stream().anyMatch(c -> c.change() == Change.REGRESSED || c.change() == Change.REMOVED
                || c.change() == Change.NEW_INPUT_ERROR);
    }

    /** The environments side by side (the keys that differ, and the kernel release), then every changed case. */
    public String report() {
        StringBuilder out = new StringBuilder();
        environment(out);
        out.append('\n');
        if (changes.isEmpty()) {
            out.append("no case changed (").append(after.cases().size()).append(" compared)\n");
            return out.toString();
        }
        Map<Change, Long> counts = changes.stream()
                .collect(Collectors.groupingBy(CaseChange::change, LinkedHashMap::new, Collectors.counting()));
        out.append(changes.size()).append(changes.size() == 1 ? " case changed: " : " cases changed: ")
                .append(counts.entrySet().stream().map(e -> e.getValue() + " " + label(e.getKey()))
                        .collect(Collectors.joining(", ")))
                .append('\n');
        for (CaseChange c : changes) {
            out.append('\n');
            caseChange(out, c);
        }
        return out.toString();
    }

    private void environment(StringBuilder out) {
        Map<String, String> b = before.environment();
        Map<String, String> a = after.environment();
        List<String> keys = union(b.keySet(), a.keySet()).stream()
                .filter(k -> k.equals(KERNEL_RELEASE) || !Objects.equals(b.get(k), a.get(k)))
                .toList();
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"environment", "before", "after"});
        for (String k : keys) {
            rows.add(new String[] {k, b.getOrDefault(k, "(absent)"), a.getOrDefault(k, "(absent)")});
        }
        int keyWidth = rows.stream().mapToInt(r -> r[0].length()).max().orElse(0);
        int beforeWidth = rows.stream().mapToInt(r -> r[1].length()).max().orElse(0);
        for (String[] r : rows) {
            out.append(String.format("%-" + keyWidth + "s  %-" + beforeWidth + "s  %s", r[0], r[1], r[2]).stripTrailing())
                    .append('\n');
        }
        long same = union(b.keySet(), a.keySet()).size() - keys.size();
        if (same > 0) {
            out.append("(").append(same).append(same == 1 ? " other key" : " other keys").append(" identical)\n");
        }
    }

    private static void caseChange(StringBuilder out, CaseChange c) {
        out.append(c.change()).append(' ').append(c.key()).append(": ")
                .append(c.before() == null ? "(absent)" : c.before().status())
                .append(" -> ")
                .append(c.after() == null ? "(absent)" : c.after().status())
                .append('\n');
        if (c.before() != null && c.after() != null) {
            observationDifference(out, c.before().observation(), c.after().observation());
        }
        if (c.after() != null && !c.after().message().isEmpty()) {
            out.append("    message: ").append(c.after().message().strip().replace("\n", "\n      ")).append('\n');
        }
    }

    /** The first observation line that differs, from both runs, and how many more differ after it. */
    private static void observationDifference(StringBuilder out, List<String> b, List<String> a) {
        int n = Math.max(b.size(), a.size());
        int first = 0;
        while (first < n && Objects.equals(line(b, first), line(a, first))) {
            first++;
        }
        if (first == n) {
            return;
        }
        out.append("    observation line ").append(first + 1).append(" differs:\n")
                .append("      before: ").append(Objects.requireNonNullElse(line(b, first), "(none)")).append('\n')
                .append("      after:  ").append(Objects.requireNonNullElse(line(a, first), "(none)")).append('\n');
        long more = IntStream.range(first + 1, n).filter(i -> !Objects.equals(line(b, i), line(a, i))).count();
        if (more > 0) {
            out.append("      (").append(more).append(more == 1 ? " more line differs)" : " more lines differ)").append('\n');
        }
    }

    private static String line(List<String> lines, int i) {
        return i < lines.size() ? lines.get(i) : null;
    }

    private static String label(Change change) {
        return change.name().toLowerCase().replace('_', ' ');
    }

    /**
     * Cases by id and backend, or by id alone among one backend's; malformed inputs by their message (their ids only number them within a
     * run). SummaryJson refuses duplicate keys; for a summary built in memory the first entry counts.
     */
    private static Map<String, CaseEntry> byKey(RunSummary s, Optional<String> onlyBackend) {
        Map<String, CaseEntry> map = new LinkedHashMap<>();
        for (CaseEntry c : s.cases()) {
            if (c.backend().equals(INPUT_ERROR_BACKEND)) {
                map.putIfAbsent("input error: " + c.message(), c);
            } else if (onlyBackend.isEmpty()) {
                map.putIfAbsent(c.key(), c);
            } else if (c.backend().equals(onlyBackend.get())) {
                map.putIfAbsent(c.id(), c);
            }
        }
        return map;
    }

    private static List<String> union(Set<String> a, Set<String> b) {
        TreeSet<String> all = new TreeSet<>(a);
        all.addAll(b);
        return List.copyOf(all);
    }
}
