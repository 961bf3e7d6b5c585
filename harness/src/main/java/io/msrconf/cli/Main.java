package io.msrconf.cli;

import io.msrconf.backend.EmulatorBackend;
import io.msrconf.backend.KvmBackend;
import io.msrconf.report.AllureHtml;
import io.msrconf.pipeline.RunSummary;
import io.msrconf.spec.SpecLoader;
import io.msrconf.spec.SpecSet;
import io.msrconf.pipeline.TargetInfo;
import io.msrconf.report.SuiteRun;
import io.msrconf.util.FileTrees;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;

/**
 * The msrconf command line. {@code run} executes the conformance suite (the same JUnit suite
 * {@code mvn verify} runs) on this machine's KVM and on the emulator backend, prints one line per test,
 * then "N passed, M failed, K skipped", and writes the JSON summary, the Allure results and the HTML
 * report. Exit status: 0 when nothing failed, 1 when a case failed or an input was malformed, 2 on a
 * usage error.
 */
public final class Main {

    private static final String USAGE = """
            usage: msrconf run [--backend kvm|emulator|both] [--only REGEX] [--specs DIR] [--out DIR] [--no-html]
                     run the conformance suite (default: both backends, specs ./specs, results ./reports/out):
                     prints one line per test, then "N passed, M failed, K skipped", and writes
                     OUT/summary.json, OUT/allure-results/, OUT/html/index.html and OUT/single/index.html
                   msrconf list [--specs DIR] [--only REGEX]
                     list the cases and any spec errors
            """ + CompareCommand.USAGE + MatrixCommand.USAGE + BisectRunCommand.USAGE + FuzzCommand.USAGE + BenchCommand.USAGE;

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length > 0 && args[0].equals("compare")) {
            return CompareCommand.run(Arrays.copyOfRange(args, 1, args.length), out, err);
        }
        if (args.length > 0 && args[0].equals("fuzz")) {
            return FuzzCommand.run(Arrays.copyOfRange(args, 1, args.length), out, err);
        }
        if (args.length > 0 && args[0].equals("bench")) {
            return BenchCommand.run(Arrays.copyOfRange(args, 1, args.length), out, err);
        }
        if (args.length > 0 && args[0].equals("matrix")) {
            return MatrixCommand.run(Arrays.copyOfRange(args, 1, args.length), out, err);
        }
        if (args.length > 0 && args[0].equals("bisect-run")) {
            return BisectRunCommand.run(Arrays.copyOfRange(args, 1, args.length), out, err);
        }
        if (args.length == 0 || !(args[0].equals("run") || args[0].equals("list"))) {
            err.print(USAGE);
            return 2;
        }
        Path specs = Path.of("specs");
        Path outDir = Path.of("reports", "out");
        String only = "";
        List<String> backends = List.of(KvmBackend.NAME, EmulatorBackend.NAME);
        boolean html = true;
        for (int i = 1; i < args.length; i++) {
            String opt = args[i];
            if (opt.equals("--no-html")) {
                html = false;
                continue;
            }
            if (i + 1 >= args.length || !List.of("--specs", "--out", "--only", "--backend").contains(opt)) {
                err.println("msrconf: unknown or incomplete option '" + opt + "'");
                err.print(USAGE);
                return 2;
            }
            String value = args[++i];
            switch (opt) {
                case "--specs" -> specs = Path.of(value);
                case "--out" -> outDir = Path.of(value);
                case "--only" -> only = value;
                default -> {
                    if (!List.of("kvm", "emulator", "both").contains(value)) {
                        err.println("msrconf: --backend takes kvm, emulator or both, not '" + value + "'");
                        return 2;
                    }
                    backends = value.equals("both") ? backends : List.of(value);
                }
            }
        }
        if (!Files.isDirectory(specs)) {
            err.println("msrconf: spec directory " + specs + " does not exist (run from the repository root, or pass --specs)");
            return 2;
        }
        try {
            Pattern.compile(only);
        } catch (PatternSyntaxException e) {
            err.println("msrconf: --only is not a valid regex: " + e.getDescription());
            return 2;
        }
        if (args[0].equals("list")) {
            Pattern p = Pattern.compile(only);
            SpecSet set = SpecLoader.load(specs);
            set.cases().stream().filter(c -> p.matcher(c.id()).find())
                    .forEach(c -> out.println(c.id() + "  " + c.title() + "  (" + c.source() + ")"));
            set.errors().forEach(e -> out.println("SPEC ERROR " + e));
            return set.hasErrors() ? 1 : 0;
        }
        return runSuite(new SuiteRun.Options(specs, Pattern.compile(only), backends, outDir.resolve("summary.json"),
                outDir.resolve("allure-results"), false, false), outDir, html, out, err);
    }

    private static int runSuite(SuiteRun.Options config, Path outDir, boolean html, PrintStream out, PrintStream err) {
        out.println("msrconf: running on " + TargetInfo.read().describe() + " (backends: " + String.join(", ", config.backends()) + ")");
        try {
            FileTrees.delete(config.allureResults());   // results are per run; the trend lives in the HTML report's history
        } catch (IOException e) {
            err.println("msrconf: cannot clear " + config.allureResults() + ": " + e.getMessage());
            return 2;
        }
        RunSummary summary = SuiteRun.run(config, new ConsoleProgress(out)).summary();
        Map<RunSummary.Status, Long> counts = summary.cases().stream()
                .collect(Collectors.groupingBy(RunSummary.CaseEntry::status, () -> new EnumMap<>(RunSummary.Status.class), Collectors.counting()));
        long passed = counts.getOrDefault(RunSummary.Status.PASSED, 0L);
        long failed = counts.getOrDefault(RunSummary.Status.FAILED, 0L) + counts.getOrDefault(RunSummary.Status.DEVIATION_NOT_REPRODUCED, 0L);
        long known = counts.getOrDefault(RunSummary.Status.KNOWN_DEVIATION, 0L);
        long skipped = counts.getOrDefault(RunSummary.Status.SKIPPED, 0L) + known;
        out.println();
        if (known > 0) {
            out.println("(" + known + " of the skipped are known kernel deviations: specs/known-deviations/deviations.yaml)");
        }
        out.println(passed + " passed, " + failed + " failed, " + skipped + " skipped");
        out.println("summary: " + config.summary().toAbsolutePath().normalize());
        out.println("allure results: " + config.allureResults().toAbsolutePath().normalize());
        if (html) {
            try {
                AllureHtml.Generated report = AllureHtml.generate(config.allureResults(), outDir.resolve("html"), outDir.resolve("single"));
                out.println("report: " + report.index().toAbsolutePath().normalize());
                out.println("single-file report: " + report.singleFileIndex().toAbsolutePath().normalize());
            } catch (RuntimeException e) {
                err.println("msrconf: the HTML report could not be generated: " + e.getMessage());
            }
        }
        return failed == 0 ? 0 : 1;
    }
}
