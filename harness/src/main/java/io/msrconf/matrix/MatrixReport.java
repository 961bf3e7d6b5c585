package io.msrconf.matrix;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.msrconf.matrix.KernelMatrix.KernelResult;
import io.msrconf.report.AllureOutputs;
import io.msrconf.pipeline.RunSummary;
import io.msrconf.pipeline.RunSummary.CaseEntry;
import io.msrconf.pipeline.RunSummary.Status;
import io.msrconf.util.FileTrees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The matrix's outputs: a table of case × kernel with the cases whose outcome differs between kernels
 * first, the same as JSON ({@code matrix.json}), and one Allure results directory holding every
 * kernel's results (each result already names its kernel: the matrix labels them). A row is a case on one
 * backend ({@code id [kvm]}, {@code id [emulator]}, {@code id [kvm-vs-model]}): each kernel runs all three.
 */
public final class MatrixReport {

    public static final String FORMAT = "msrconf-matrix/1";

    /**
     * One row: a case and its entry on each kernel (null where that kernel has no entry). Kernels that did
     * not run at all are left out of the comparison: their absence is reported once, in the legend.
     */
    record Row(String id, String title, List<CaseEntry> cells, List<Boolean> ran) {

        private Stream<CaseEntry> compared() {
            return java.util.stream.IntStream.range(0, cells.size()).filter(ran::get).mapToObj(cells::get);
        }

        boolean statusDiffers() {
            return compared().map(c -> c == null ? null : c.status()).distinct().count() > 1;
        }

        /** Same status everywhere, but at least two kernels that passed observed different things. */
        boolean observationDiffers() {
            return compared().filter(Objects::nonNull).filter(c -> c.status() == Status.PASSED)
                    .map(CaseEntry::observation).distinct().count() > 1;
        }
    }

    private final List<KernelResult> kernels;
    private final List<Row> rows;

    public MatrixReport(List<KernelResult> kernels) {
        this.kernels = List.copyOf(kernels);
        Map<String, Row> byId = new LinkedHashMap<>();
        List<Boolean> ran = kernels.stream().map(k -> k.summary().isPresent()).toList();
        for (int k = 0; k < kernels.size(); k++) {
            for (CaseEntry c : kernels.get(k).summary().map(RunSummary::cases).orElse(List.of())) {
                Row row = byId.computeIfAbsent(c.key(), id -> new Row(id, c.title(), new ArrayList<>(java.util.Collections.nCopies(kernels.size(), null)), ran));
                row.cells().set(k, c);
            }
        }
        this.rows = List.copyOf(byId.values());
    }

    /** The column letter of kernel {@code k}: A, B, ... (the legend names the kernel). */
    static String letter(int k) {
        return k < 26 ? String.valueOf((char) ('A' + k)) : "K" + k;
    }

    List<KernelResult> kernels() {
        return kernels;
    }

    List<Row> rows() {
        return rows;
    }

    public boolean anyFailure() {
        return rows.stream().flatMap(r -> r.cells().stream()).anyMatch(c -> c != null && c.status().isFailure());
    }

    public boolean allKernelsRan() {
        return kernels.stream().allMatch(k -> k.summary().isPresent());
    }

    public List<String> differingCases() {
        return rows.stream().filter(Row::statusDiffers).map(Row::id).toList();
    }

    /** The text table: legend, differing cases, cases that differ only in what was observed, then the rest, then why. */
    public String table() {
        StringBuilder out = new StringBuilder("kernels:\n");
        for (int k = 0; k < kernels.size(); k++) {
            KernelResult r = kernels.get(k);
            out.append("  ").append(letter(k)).append("  ");
            if (r.summary().isPresent()) {
                out.append(r.release()).append("  ").append(r.kvmModule()).append("  ").append(r.cpuModel());
            } else {
                out.append("NOT RUN: ").append(firstLine(r.failure()));
            }
            out.append("  (").append(r.target().spec()).append(", ").append(r.elapsed().toSeconds()).append(" s)\n");
        }
        List<Row> differ = rows.stream().filter(Row::statusDiffers).toList();
        List<Row> observed = rows.stream().filter(r -> !r.statusDiffers() && r.observationDiffers()).toList();
        List<Row> same = rows.stream().filter(r -> !r.statusDiffers() && !r.observationDiffers()).toList();
        int width = Stream.concat(differ.stream(), observed.stream()).mapToInt(r -> r.id().length()).max().orElse(10);
        section(out, "outcome differs between kernels", differ, width);
        section(out, "same outcome, different observations", observed, width);
        Map<String, Long> sameCounts = same.stream().collect(Collectors.groupingBy(
                r -> r.cells().stream().filter(Objects::nonNull).findFirst().map(c -> cell(c)).orElse("?"), TreeMap::new, Collectors.counting()));
        out.append("\nsame on every kernel: ").append(same.size()).append(same.size() == 1 ? " case" : " cases")
                .append(sameCounts.isEmpty() ? "" : " (" + sameCounts.entrySet().stream().map(e -> e.getValue() + " " + e.getKey())
                        .collect(Collectors.joining(", ")) + ")").append('\n');
        details(out);
        return out.toString();
    }

    private void section(StringBuilder out, String heading, List<Row> rows, int width) {
        if (rows.isEmpty()) {
            return;
        }
        out.append('\n').append(heading).append(" (").append(rows.size()).append("):\n");
        out.append("  ").append(pad("case", width));
        for (int k = 0; k < kernels.size(); k++) {
            out.append("  ").append(pad(letter(k), 6));
        }
        out.append('\n');
        for (Row r : rows) {
            out.append("  ").append(pad(r.id(), width));
            for (CaseEntry c : r.cells()) {
                out.append("  ").append(pad(c == null ? "-" : cell(c), 6));
            }
            out.append('\n');
        }
    }

    /** Why: every failure, and every skip or difference in a row that differs. */
    private void details(StringBuilder out) {
        List<String> lines = new ArrayList<>();
        for (Row r : rows) {
            boolean differs = r.statusDiffers() || r.observationDiffers();
            for (int k = 0; k < r.cells().size(); k++) {
                CaseEntry c = r.cells().get(k);
                if (c == null) {
                    continue;
                }
                if (c.status().isFailure() || (differs && c.status() != Status.PASSED)) {
                    lines.add(letter(k) + " " + r.id() + ": " + c.status().name().toLowerCase().replace('_', ' ') + ": "
                            + c.reason());
                } else if (differs && r.observationDiffers()) {
                    lines.add(letter(k) + " " + r.id() + ": observed " + String.join(" | ", c.observation().stream()
                            .map(String::strip).filter(l -> !l.startsWith("step")).toList()));
                }
            }
        }
        for (int k = 0; k < kernels.size(); k++) {
            if (kernels.get(k).summary().isEmpty()) {
                lines.add(letter(k) + " did not run: " + kernels.get(k).failure().strip().replace("\n", "\n    "));
            }
        }
        if (!lines.isEmpty()) {
            out.append("\nwhy:\n");
            lines.forEach(l -> out.append("  ").append(l).append('\n'));
        }
    }

    static String cell(CaseEntry c) {
        return switch (c.status()) {
            case PASSED -> "pass";
            case FAILED -> "FAIL";
            case SKIPPED -> "skip";
            case KNOWN_DEVIATION -> "known";
            case DEVIATION_NOT_REPRODUCED -> "NOTREP";
        };
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse("");
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }

    /** matrix.json: the kernels (keyed by release, KVM module and CPU) and every case's status on each. */
    public void writeJson(Path file, Path relativeTo) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("format", FORMAT);
        List<Map<String, Object>> ks = new ArrayList<>();
        for (int k = 0; k < kernels.size(); k++) {
            KernelResult r = kernels.get(k);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("column", letter(k));
            m.put("target", r.target().spec());
            m.put("key", Map.of("kernelRelease", r.release(), "kvmModule", r.kvmModule(), "cpuModel", r.cpuModel()));
            m.put("ran", r.summary().isPresent());
            m.put("failure", r.failure());
            m.put("elapsedSeconds", r.elapsed().toMillis() / 1000.0);
            m.put("summary", r.summary().isPresent() ? relativeTo.relativize(r.summaryFile()).toString() : null);
            ks.add(m);
        }
        root.put("kernels", ks);
        List<Map<String, Object>> cases = new ArrayList<>();
        for (Row r : rows) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", r.id());
            m.put("title", r.title());
            m.put("statusDiffers", r.statusDiffers());
            m.put("observationDiffers", r.observationDiffers());
            Map<String, Object> by = new LinkedHashMap<>();
            for (int k = 0; k < r.cells().size(); k++) {
                CaseEntry c = r.cells().get(k);
                by.put(letter(k), c == null ? null : Map.of("status", c.status().name(), "message", c.message()));
            }
            m.put("results", by);
            cases.add(m);
        }
        root.put("cases", cases);
        try {
            Files.createDirectories(file.getParent());
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Gathers every kernel's Allure results into one directory, with one environment listing that names
     * each kernel by its column letter, so a single report shows all kernels.
     */
    public void mergeAllure(Path merged) {
        try {
            FileTrees.delete(merged);
            Files.createDirectories(merged);
            Map<String, String> environment = new LinkedHashMap<>();
            Set<String> perRunFiles = Set.of("environment.properties", "categories.json", "executor.json");
            for (int k = 0; k < kernels.size(); k++) {
                KernelResult r = kernels.get(k);
                environment.put(letter(k) + " kernel", r.summary().isPresent()
                        ? r.release() + ", " + r.kvmModule() + ", " + r.cpuModel() + " (" + r.target().spec() + ")"
                        : "NOT RUN (" + r.target().spec() + "): " + firstLine(r.failure()));
                r.summary().ifPresent(s -> s.environment().forEach((key, v) -> {
                    if (key.startsWith("kvm.")) {
                        environment.put(letter(kernels.indexOf(r)) + " " + key, v);
                    }
                }));
                if (r.summary().isEmpty()) {
                    notRunResult(r, merged);
                    continue;
                }
                Path results = r.dir().resolve("results").resolve("allure-results");
                if (!Files.isDirectory(results)) {
                    continue;
                }
                try (Stream<Path> files = Files.list(results)) {
                    for (Path f : files.filter(f -> !perRunFiles.contains(f.getFileName().toString())).toList()) {
                        // Result files are named by UUID, attachments by their content: two kernels' files with one
                        // name hold the same text.
                        Files.copy(f, merged.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
            AllureOutputs.write(merged, environment);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot merge the Allure results into " + merged + ": " + e.getMessage(), e);
        }
    }

    /** The Allure message of a kernel that did not run; reports/categories.json files it under "Kernel did not run". */
    public static String notRunMessage(KernelResult r) {
        return "kernel " + r.target().spec() + " did not run: " + r.failure();
    }

    /**
     * A kernel that did not run still shows in the report: one broken test saying why, with the end of
     * its console and of the suite's output inside it attached (what a triager reads first).
     */
    private static void notRunResult(KernelResult r, Path merged) throws IOException {
        String uuid = java.util.UUID.randomUUID().toString();
        String attachment = uuid + "-attachment.txt";
        StringBuilder logs = new StringBuilder();
        for (String name : List.of("console.log", "run.log", "qemu.log")) {
            Path log = r.dir().resolve(name);
            if (Files.isRegularFile(log)) {
                List<String> lines = new String(Files.readAllBytes(log), java.nio.charset.StandardCharsets.UTF_8).lines().toList();
                logs.append("==> ").append(log).append(" (last ").append(Math.min(200, lines.size())).append(" lines) <==\n");
                lines.subList(Math.max(0, lines.size() - 200), lines.size()).forEach(l -> logs.append(l).append('\n'));
            }
        }
        Files.writeString(merged.resolve(attachment), logs.length() == 0 ? "(no console or run log was written)\n" : logs.toString());
        long now = System.currentTimeMillis();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("uuid", uuid);
        result.put("historyId", "kernel-not-run@" + r.target().spec());
        result.put("testCaseId", "kernel-not-run");
        result.put("name", "kernel " + r.target().spec() + " did not run");
        result.put("status", "broken");
        result.put("stage", "finished");
        result.put("statusDetails", Map.of("message", notRunMessage(r), "trace", ""));
        result.put("labels", List.of(Map.of("name", "parentSuite", "value", "kvm on " + r.target().spec() + " (not run)"),
                Map.of("name", "suite", "value", "kernel matrix"), Map.of("name", "epic", "value", "KVM MSR filter semantics")));
        result.put("parameters", List.of(Map.of("name", "kernel", "value", r.target().spec())));
        result.put("attachments", List.of(Map.of("name", "console and run logs (tail)", "source", attachment, "type", "text/plain")));
        result.put("start", now - r.elapsed().toMillis());
        result.put("stop", now);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(merged.resolve(uuid + "-result.json").toFile(), result);
    }
}
