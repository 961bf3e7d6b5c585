package io.msrconf.kernelmutants;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A campaign's result: the score (generated mutants killed / generated mutants that compiled), the historical
 * mutants killed / all of them, counts per operator and function, and every survivor with its diff: a survivor
 * is a change to KVM the suite does not notice, the list to write new cases from.
 */
public final class KernelMutantReport {

    private final List<Mutant> mutants;
    private final Map<String, MutantStatus> status = new LinkedHashMap<>();
    private final SurvivorClassification classified;

    public KernelMutantReport(List<Mutant> mutants, List<MutantStatus> statuses) {
        this(mutants, statuses, SurvivorClassification.NONE);
    }

    public KernelMutantReport(List<Mutant> mutants, List<MutantStatus> statuses, SurvivorClassification classified) {
        this.mutants = List.copyOf(mutants);
        statuses.forEach(s -> status.put(s.id(), s));
        this.classified = classified;
    }

    private List<Mutant> generated(java.util.function.Predicate<MutantStatus> which) {
        return mutants.stream().filter(m -> !m.historical() && status.containsKey(m.id()) && which.test(status.get(m.id()))).toList();
    }

    /** Survivors a person classified as equivalent or unreachable on msrconf's targets: out of the score's denominator. */
    public long excusedSurvivors() {
        return generated(s -> s.outcome() == MutantStatus.Outcome.SURVIVED).stream().map(m -> classified.entries().get(m.id()))
                .filter(e -> e != null && e.kind() != SurvivorClassification.Kind.GAP).count();
    }

    /** Compiled mutants the kernel selftest ran on, and how many it killed. */
    public long[] selftestScore() {
        List<Mutant> ran = generated(s -> s.outcome().finished() && s.outcome() != MutantStatus.Outcome.DOES_NOT_COMPILE
                && s.selftest() != MutantStatus.Selftest.NOT_RUN);
        long killed = ran.stream().filter(m -> status.get(m.id()).selftest() == MutantStatus.Selftest.KILLED).count();
        return new long[] {killed, ran.size()};
    }

    /** Mutants the kernel selftest kills and msrconf does not: the gaps to close first. */
    public List<Mutant> killedOnlyBySelftest() {
        return mutants.stream().filter(m -> status.containsKey(m.id()) && status.get(m.id()).outcome() == MutantStatus.Outcome.SURVIVED
                && status.get(m.id()).selftest() == MutantStatus.Selftest.KILLED).toList();
    }

    private long count(boolean historical, MutantStatus.Outcome... outcomes) {
        return mutants.stream().filter(m -> m.historical() == historical && status.containsKey(m.id()))
                .filter(m -> List.of(outcomes).contains(status.get(m.id()).outcome())).count();
    }

    public long killed() {
        return count(false, MutantStatus.Outcome.KILLED, MutantStatus.Outcome.KILLED_BY_CRASH);
    }

    public long compiled() {
        return count(false, MutantStatus.Outcome.KILLED, MutantStatus.Outcome.KILLED_BY_CRASH, MutantStatus.Outcome.SURVIVED);
    }

    /** The text printed at the end of a campaign. */
    public String text() {
        StringBuilder b = new StringBuilder();
        long compiled = compiled();
        b.append(String.format("score: %d killed of %d compiled mutants%s (%d killed by a crash/timeout, %d survived); %d did not compile%n",
                killed(), compiled, compiled == 0 ? "" : String.format(" = %.1f%%", 100.0 * killed() / compiled),
                count(false, MutantStatus.Outcome.KILLED_BY_CRASH), count(false, MutantStatus.Outcome.SURVIVED),
                count(false, MutantStatus.Outcome.DOES_NOT_COMPILE)));
        long excused = excusedSurvivors();
        if (excused > 0) {
            b.append(String.format("score without the %d survivors classified equivalent or unreachable: %d of %d = %.1f%%%n", excused,
                    killed(), compiled - excused, compiled - excused == 0 ? 0.0 : 100.0 * killed() / (compiled - excused)));
        }
        long[] self = selftestScore();
        if (self[1] > 0) {
            long both = generated(s -> s.outcome().killed() && s.selftest() == MutantStatus.Selftest.KILLED).size();
            b.append(String.format("kernel selftest (userspace_msr_exit_test) on the same kernels: %d killed of %d = %.1f%%; killed by both %d;"
                    + " by msrconf only %d; by the selftest only %d%n", self[0], self[1], 100.0 * self[0] / self[1], both,
                    generated(s -> s.outcome().killed() && s.selftest() == MutantStatus.Selftest.SURVIVED).size(), killedOnlyBySelftest().size()));
            for (Mutant m : killedOnlyBySelftest()) {
                b.append("  killed by the selftest, not by msrconf (a gap to close first): ").append(m.id()).append('\n');
            }
        }
        long historical = mutants.stream().filter(Mutant::historical).count();
        if (historical > 0) {
            b.append(String.format("historical: %d killed of %d%n", count(true, MutantStatus.Outcome.KILLED, MutantStatus.Outcome.KILLED_BY_CRASH),
                    historical));
        }
        b.append(String.format("%nby operator (killed/compiled):%n"));
        group(m -> m.operator()).forEach((k, v) -> b.append(String.format("  %-22s %s%n", k, v)));
        b.append(String.format("%nby function (killed/compiled):%n"));
        group(m -> MutantGenerator.shortPath(m.file()) + ":" + m.function()).forEach((k, v) -> b.append(String.format("  %-55s %s%n", k, v)));
        List<Mutant> survivors = mutants.stream().filter(m -> status.containsKey(m.id())
                && status.get(m.id()).outcome() == MutantStatus.Outcome.SURVIVED).toList();
        b.append(String.format("%n%d survivors%s%n", survivors.size(), survivors.isEmpty() ? "" : ":"));
        for (Mutant m : survivors) {
            SurvivorClassification.Entry e = classified.entries().get(m.id());
            String verdict = e == null ? "UNCLASSIFIED (add it to kernel-mutants/survivors.yaml)"
                    : e.kind().name().toLowerCase(java.util.Locale.ROOT) + ": " + e.why() + (e.caseId().isEmpty() ? "" : " (case " + e.caseId()
                    + ", which should kill it: run the mutant again)");
            b.append(String.format("%n%s  (%s:%d)%n  %s%n%s", m.id(), m.file(), m.line(), verdict, m.diff()));
        }
        return b.toString();
    }

    private Map<String, String> group(java.util.function.Function<Mutant, String> key) {
        Map<String, long[]> counts = new TreeMap<>();
        for (Mutant m : mutants) {
            MutantStatus s = status.get(m.id());
            if (s == null || s.outcome() == MutantStatus.Outcome.DOES_NOT_COMPILE || s.outcome() == MutantStatus.Outcome.BUILT) {
                continue;
            }
            long[] c = counts.computeIfAbsent(key.apply(m), k -> new long[2]);
            c[1]++;
            if (s.outcome().killed()) {
                c[0]++;
            }
        }
        Map<String, String> out = new LinkedHashMap<>();
        counts.forEach((k, c) -> out.put(k, c[0] + "/" + c[1]));
        return out;
    }

    /** kernel-mutants.json: the score and every mutant with its outcome, the cases that killed it and its diff. */
    public byte[] json() {
        Map<String, Object> root = new LinkedHashMap<>();
        Map<String, Object> score = new LinkedHashMap<>();
        score.put("killed", killed());
        score.put("compiled", compiled());
        score.put("killedByCrashOrTimeout", count(false, MutantStatus.Outcome.KILLED_BY_CRASH));
        score.put("survived", count(false, MutantStatus.Outcome.SURVIVED));
        score.put("doesNotCompile", count(false, MutantStatus.Outcome.DOES_NOT_COMPILE));
        score.put("historicalKilled", count(true, MutantStatus.Outcome.KILLED, MutantStatus.Outcome.KILLED_BY_CRASH));
        score.put("historicalTotal", mutants.stream().filter(Mutant::historical).count());
        score.put("survivorsClassifiedEquivalentOrUnreachable", excusedSurvivors());
        long[] self = selftestScore();
        score.put("selftestKilled", self[0]);
        score.put("selftestRan", self[1]);
        score.put("killedOnlyBySelftest", killedOnlyBySelftest().stream().map(Mutant::id).toList());
        root.put("score", score);
        root.put("byOperator", group(Mutant::operator));
        root.put("byFunction", group(m -> MutantGenerator.shortPath(m.file()) + ":" + m.function()));
        List<Map<String, Object>> list = new ArrayList<>();
        for (Mutant m : mutants) {
            MutantStatus s = status.get(m.id());
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("id", m.id());
            e.put("file", m.file());
            e.put("line", m.line());
            e.put("function", m.function());
            e.put("operator", m.operator());
            if (m.historical()) {
                e.put("description", m.description());
            } else {
                e.put("original", m.original());
                e.put("replacement", m.replacement());
            }
            e.put("outcome", s == null ? "NOT_RUN" : s.outcome().name());
            e.put("killedBy", s == null ? List.of() : s.killedBy());
            e.put("selftest", s == null ? "NOT_RUN" : s.selftest().name());
            SurvivorClassification.Entry c = classified.entries().get(m.id());
            if (c != null) {
                e.put("classification", Map.of("class", c.kind().name().toLowerCase(java.util.Locale.ROOT), "why", c.why(), "case", c.caseId()));
            }
            e.put("detail", s == null ? "" : s.detail());
            e.put("diff", m.diff());
            list.add(e);
        }
        root.put("mutants", list);
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** --list's table: one line per mutant, then the count per operator and per function. */
    public static String listing(List<Mutant> mutants) {
        StringBuilder b = new StringBuilder();
        mutants.forEach(m -> b.append(m.summaryLine()).append('\n'));
        Map<String, Integer> byOperator = new TreeMap<>();
        Map<String, Integer> byFunction = new LinkedHashMap<>();
        for (Mutant m : mutants) {
            byOperator.merge(m.operator(), 1, Integer::sum);
            byFunction.merge(MutantGenerator.shortPath(m.file()) + ":" + m.function(), 1, Integer::sum);
        }
        b.append(String.format("%n%d mutants%n%nper operator:%n", mutants.size()));
        byOperator.forEach((k, v) -> b.append(String.format("  %-22s %4d%n", k, v)));
        b.append(String.format("%nper function:%n"));
        byFunction.forEach((k, v) -> b.append(String.format("  %-55s %4d%n", k, v)));
        return b.toString();
    }
}
