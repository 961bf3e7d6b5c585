package io.msrconf.report;

import io.msrconf.pipeline.RunSummary;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run in KTAP (Documentation/dev-tools/ktap.rst), the format of kselftests and KUnit that kernel CI
 * systems parse: one subtest per backend (kvm, emulator, kvm-vs-model; malformed spec files as
 * "spec-errors"), in it one test per case named by its id. A failure is {@code not ok} followed by its
 * explanation as diagnostic lines; a skip is {@code ok N id # SKIP reason}. The summary's environment opens
 * the document as diagnostics, so a log names its kernel and KVM module.
 */
public final class KtapReport {

    /** The backend field of a malformed-input entry (as in summary.json). */
    private static final String INPUT_ERRORS = "-";

    private KtapReport() {
    }

    public static String of(RunSummary summary) {
        Map<String, List<RunSummary.CaseEntry>> byBackend = new LinkedHashMap<>();
        summary.cases().forEach(c -> byBackend.computeIfAbsent(c.backend(), b -> new ArrayList<>()).add(c));
        StringBuilder out = new StringBuilder("KTAP version 1\n");
        for (String key : List.of("kernel.release", "kvm.module", "cpu.model", "kvm.where")) {
            String v = summary.environment().get(key);
            if (v != null && !v.isBlank()) {
                out.append("# ").append(key).append(": ").append(oneLine(v)).append('\n');
            }
        }
        out.append("1..").append(byBackend.size()).append('\n');
        int n = 0;
        for (Map.Entry<String, List<RunSummary.CaseEntry>> backend : byBackend.entrySet()) {
            String name = backend.getKey().equals(INPUT_ERRORS) ? "spec-errors" : backend.getKey();
            List<RunSummary.CaseEntry> cases = backend.getValue();
            out.append("    KTAP version 1\n    # Subtest: ").append(name).append("\n    1..").append(cases.size()).append('\n');
            boolean failed = false;
            boolean allSkipped = true;
            for (int i = 0; i < cases.size(); i++) {
                RunSummary.CaseEntry c = cases.get(i);
                String id = c.backend().equals(INPUT_ERRORS) ? "spec-error-" + (i + 1) : name(c.id());
                switch (c.status()) {
                    case PASSED -> {
                        out.append("    ok ").append(i + 1).append(' ').append(id).append('\n');
                        allSkipped = false;
                    }
                    case SKIPPED, KNOWN_DEVIATION -> out.append("    ok ").append(i + 1).append(' ').append(id).append(" # SKIP ")
                            .append(oneLine(c.message())).append('\n');
                    case FAILED, DEVIATION_NOT_REPRODUCED -> {
                        out.append("    not ok ").append(i + 1).append(' ').append(id).append('\n');
                        c.message().lines().filter(l -> !l.isBlank()).forEach(l -> out.append("    # ").append(l.strip()).append('\n'));
                        failed = true;
                        allSkipped = false;
                    }
                }
            }
            n++;
            out.append(failed ? "not ok " : "ok ").append(n).append(' ').append(name)
                    .append(!failed && allSkipped ? " # SKIP every case was skipped" : "").append('\n');
        }
        return out.toString();
    }

    /** A test name: KTAP ends the name at " # " (a directive); case ids never hold one, but be sure. */
    private static String name(String id) {
        return id.replace('#', '_');
    }

    private static String oneLine(String s) {
        String first = s.lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse("");
        return first.isEmpty() ? "no reason given" : first;
    }
}
