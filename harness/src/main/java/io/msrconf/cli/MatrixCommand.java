package io.msrconf.cli;

import io.msrconf.matrix.KernelMatrix;
import io.msrconf.matrix.KernelTarget;
import io.msrconf.matrix.MatrixReport;
import io.msrconf.report.AllureHtml;
import io.msrconf.spec.SpecLoader;
import io.msrconf.spec.SpecSet;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * {@code msrconf matrix}: the suite's KVM cases on several kernels, side by side. Exit status 0 when every
 * kernel ran and no case failed on any, 1 otherwise, 2 on a usage error.
 */
final class MatrixCommand {

    /** Main's usage text, continued: indented to follow its first line. */
    static final String USAGE = """
                   msrconf matrix [--kernel K]... [--only REGEX] [--specs DIR] [--out DIR] [--parallel N]
                                  [--timeout SECONDS] [--ignore-kernel-ranges] [--no-html]
                     run the KVM cases on several kernels (default: debian:5.10 debian:6.1 debian:6.12 host);
                     K is host, debian:5.10|6.1|6.12 (fetched and cached), or IMAGE[,modules=DIR] for a
                     kernel you built (booted under QEMU); prints case x kernel with the differences first
                     and writes OUT/matrix.json, OUT/kernels/*/results/summary.json, OUT/allure-results/ and
                     OUT/html/index.html (default OUT: reports/matrix); --ignore-kernel-ranges runs every
                     case on every kernel, to see each per-version expectation fail where it does not apply
            """;

    private MatrixCommand() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        Path specs = Path.of("specs");
        Path outDir = Path.of("reports", "matrix");
        String only = "";
        int parallel = Math.max(1, Runtime.getRuntime().availableProcessors());
        Duration timeout = Duration.ofMinutes(5);
        boolean html = true;
        boolean ignoreRanges = false;
        List<KernelTarget> targets = new ArrayList<>();
        try {
            for (int i = 0; i < args.length; i++) {
                String opt = args[i];
                if (opt.equals("--no-html")) {
                    html = false;
                    continue;
                }
                if (opt.equals("--ignore-kernel-ranges")) {
                    ignoreRanges = true;
                    continue;
                }
                if (i + 1 >= args.length || !List.of("--kernel", "--only", "--specs", "--out", "--parallel", "--timeout").contains(opt)) {
                    return usage("unknown or incomplete option '" + opt + "'", err);
                }
                String value = args[++i];
                switch (opt) {
                    case "--kernel" -> targets.add(KernelTarget.parse(value));
                    case "--only" -> only = value;
                    case "--specs" -> specs = Path.of(value);
                    case "--out" -> outDir = Path.of(value);
                    case "--parallel" -> parallel = positive(opt, value);
                    default -> timeout = Duration.ofSeconds(positive(opt, value));
                }
            }
        } catch (IllegalArgumentException e) {
            return usage(e.getMessage(), err);
        }
        if (targets.isEmpty()) {
            KernelTarget.DEFAULT_MATRIX.stream().map(KernelTarget::parse).forEach(targets::add);
        }
        if (targets.stream().map(KernelTarget::label).distinct().count() < targets.size()) {
            return usage("a kernel is named twice", err);
        }
        if (!Files.isDirectory(specs)) {
            return usage("spec directory " + specs + " does not exist (run from the repository root, or pass --specs)", err);
        }
        try {
            Pattern selected = Pattern.compile(only);
            SpecSet set = SpecLoader.load(specs);
            if (!set.hasErrors() && set.cases().stream().noneMatch(c -> selected.matcher(c.id()).find())) {
                return usage("--only '" + only + "' selects none of the " + set.cases().size() + " cases in " + specs, err);
            }
        } catch (PatternSyntaxException e) {
            return usage("--only is not a valid regex: " + e.getDescription(), err);
        }
        out.println("matrix: " + targets.size() + " kernels: " + String.join(", ", targets.stream().map(KernelTarget::spec).toList())
                + " (kernel cache " + KernelTarget.defaultCache() + ")");
        long start = System.nanoTime();
        List<KernelMatrix.KernelResult> results = KernelMatrix.run(targets,
                new KernelMatrix.Options(specs, only, outDir, KernelTarget.defaultCache(), timeout, parallel, ignoreRanges), out);
        MatrixReport report = new MatrixReport(results);
        out.println();
        out.print(report.table());
        Path absOut = outDir.toAbsolutePath().normalize();
        report.writeJson(absOut.resolve("matrix.json"), absOut);
        report.mergeAllure(absOut.resolve("allure-results"));
        out.println();
        out.println("matrix: " + results.size() + " kernels in " + Duration.ofNanos(System.nanoTime() - start).toSeconds() + " s");
        out.println("matrix.json: " + absOut.resolve("matrix.json"));
        out.println("per-kernel summaries (for msrconf compare): " + absOut.resolve("kernels") + "/*/results/summary.json");
        if (html) {
            try {
                AllureHtml.Generated g = AllureHtml.generate(absOut.resolve("allure-results"), absOut.resolve("html"), absOut.resolve("single"));
                out.println("report: " + g.index());
            } catch (RuntimeException e) {
                err.println("msrconf matrix: the HTML report could not be generated: " + e.getMessage());
            }
        }
        return report.allKernelsRan() && !report.anyFailure() ? 0 : 1;
    }

    private static int positive(String opt, String value) {
        try {
            int n = Integer.parseInt(value);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(opt + " takes a positive whole number, not '" + value + "'");
    }

    private static int usage(String message, PrintStream err) {
        err.println("msrconf matrix: " + message);
        err.print("usage: " + USAGE.stripLeading());
        return 2;
    }
}
