package io.msrconf.cli;

import io.msrconf.backend.EmulatorBackend;
import io.msrconf.backend.KvmBackend;
import io.msrconf.pipeline.RunResult;
import io.msrconf.report.JunitXml;
import io.msrconf.report.KtapReport;
import io.msrconf.util.AtomicFiles;
import io.msrconf.pipeline.RunSummary;
import io.msrconf.pipeline.TargetInfo;
import io.msrconf.pipeline.TestResult;
import io.msrconf.report.AllureHtml;
import io.msrconf.report.ResultsDirectory;
import io.msrconf.report.SuiteRun;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code msrconf run}: the conformance suite on this machine's KVM and on the emulator. Prints one line
 * per test and the counts, writes the summary, the Allure results and the HTML report into the results
 * directory (published only when complete), and exits with a status a script can act on.
 */
@Command(name = "run", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Run the conformance suite: every case on KVM and on the emulator (the reference model), "
                + "and KVM against the model. Prints one line per test, then the counts; writes OUT/summary.json, "
                + "OUT/allure-results/, OUT/html/index.html and OUT/single/index.html."})
final class RunCommand implements Callable<Integer> {

    /** What the results directory holds after a run; each is replaced only when the run has made the new one. */
    static final List<String> OUTPUTS = List.of("summary.json", "allure-results", "html", "single");

    @Spec
    CommandSpec spec;

    @Mixin
    SpecOptions specs;

    @Mixin
    OutOptions out;

    @Mixin
    KvmOption kvm;

    @Option(names = "--backend", paramLabel = "BACKEND", description = "kvm, emulator or both (default: both); "
            + "emulator alone is the explicit way to test only the model")
    Backends backend = Backends.both;

    @Option(names = "--no-html", description = "write the summary and the Allure results, not the HTML report")
    boolean noHtml;

    @Option(names = "--ktap", paramLabel = "FILE", description = "also write the results as KTAP (the kselftest/KUnit format"
            + " kernel CI parses): one subtest per backend, one test per case; relative to where you are")
    Path ktap;

    @Option(names = "--junit", paramLabel = "FILE", description = "also write the results as JUnit XML (GitLab's and Jenkins'"
            + " test tabs): one testsuite per backend and area; relative to where you are")
    Path junit;

    enum Backends { kvm, emulator, both }

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        SpecOptions.Selection selection = specs.load();
        if (selection.selected().isEmpty() && !selection.set().hasErrors()) {
            stderr.println("msrconf run: " + nothingSelected(selection));
            return ExitStatus.NOTHING_SELECTED;
        }
        Path outDir = out.directory(Installation.defaultOut());
        SuiteRun.KvmChoice choice = backend == Backends.emulator ? new SuiteRun.KvmChoice.None() : kvm.open(stdout);
        try (ResultsDirectory results = ResultsDirectory.open(outDir)) {
            SuiteRun.Options options = new SuiteRun.Options(selection.specs(), selection.only(), choice, backend != Backends.kvm,
                    results.staged("summary.json"), results.staged("allure-results"), false, false);
            stdout.println("msrconf: backends: " + String.join(", ", SuiteRun.backendNames(options)));
            RunResult run = SuiteRun.run(options, new ConsoleProgress(stdout));
            stdout.println();
            stdout.println(counts(run.summary()));
            boolean htmlMade = false;
            if (!noHtml) {
                try {
                    AllureHtml.generate(results.staged("allure-results"), results.staged("html"), results.staged("single"),
                            results.published("html").resolve("history"));
                    htmlMade = true;
                } catch (AllureHtml.Failure | IllegalArgumentException e) {
                    stderr.println("msrconf run: the HTML report could not be generated (the results are kept): " + e.getMessage());
                }
            }
            results.publish(OUTPUTS);
            stdout.println("summary: " + results.published("summary.json"));
            stdout.println("allure results: " + results.published("allure-results"));
            if (htmlMade) {
                stdout.println("report: " + results.published("html").resolve("index.html"));
                stdout.println("single-file report: " + results.published("single").resolve("index.html"));
            }
            if (!writeFormat(ktap, "ktap", () -> KtapReport.of(run.summary()), stdout, stderr)
                    || !writeFormat(junit, "junit", () -> JunitXml.of(run.summary()), stdout, stderr)) {
                return ExitStatus.HARNESS_ERROR;
            }
            return status(run, SuiteRun.backendNames(options), stderr);
        } catch (ResultsDirectory.OutputException e) {
            stderr.println("msrconf run: " + e.getMessage());
            return ExitStatus.HARNESS_ERROR;
        } catch (java.io.UncheckedIOException e) {
            stderr.println("msrconf run: cannot write the results into " + outDir + ": " + e.getMessage()
                    + " (the previous results there are unchanged)");
            return ExitStatus.HARNESS_ERROR;
        } finally {
            if (choice instanceof SuiteRun.KvmChoice.Opened opened) {
                opened.target().close();
            }
        }
    }

    /** Writes one of the optional formats (--ktap, --junit) whole or not at all; false when it cannot. */
    private static boolean writeFormat(Path file, String format, java.util.function.Supplier<String> content, PrintWriter stdout,
                                       PrintWriter stderr) {
        if (file == null) {
            return true;
        }
        try {
            AtomicFiles.write(file.toAbsolutePath(), content.get());
            stdout.println(format + ": " + file.toAbsolutePath());
            return true;
        } catch (java.io.IOException e) {
            stderr.println("msrconf run: cannot write the --" + format + " file " + file.toAbsolutePath() + ": " + e.getMessage());
            return false;
        }
    }

    static String nothingSelected(SpecOptions.Selection s) {
        return s.set().cases().isEmpty() ? "no spec case in " + s.specs() + " (spec files are " + s.specs() + "/*.yaml)"
                : "--only '" + s.only().pattern() + "' selects none of the " + s.set().cases().size() + " cases in " + s.specs()
                + " (msrconf list shows their ids)";
    }

    /** "44 passed, 0 failed, 100 skipped (48 of them on kvm: ...)" over every test the console printed. */
    static String counts(RunSummary summary) {
        Map<RunSummary.Status, Long> by = summary.cases().stream().collect(Collectors.groupingBy(RunSummary.CaseEntry::status,
                () -> new EnumMap<>(RunSummary.Status.class), Collectors.counting()));
        long passed = by.getOrDefault(RunSummary.Status.PASSED, 0L);
        long failed = by.getOrDefault(RunSummary.Status.FAILED, 0L) + by.getOrDefault(RunSummary.Status.DEVIATION_NOT_REPRODUCED, 0L);
        long known = by.getOrDefault(RunSummary.Status.KNOWN_DEVIATION, 0L);
        long skipped = by.getOrDefault(RunSummary.Status.SKIPPED, 0L) + known;
        return passed + " passed, " + failed + " failed, " + skipped + " skipped"
                + (known > 0 ? " (" + known + " of them known kernel deviations: specs/known-deviations/deviations.yaml)" : "")
                + " -- " + summary.cases().size() + " tests";
    }

    /**
     * 1 when something failed; else 3 when a requested backend tested nothing (saying why and what to do);
     * else 0.
     */
    static int status(RunResult run, List<String> requested, PrintWriter stderr) {
        if (run.summary().cases().stream().anyMatch(c -> c.status().isFailure())) {
            return ExitStatus.FAILED;
        }
        List<String> untested = new ArrayList<>();
        for (String name : requested) {
            List<TestResult> mine = run.results().stream().filter(r -> r.backend().equals(name)).toList();
            if (mine.stream().allMatch(r -> r.status() == RunSummary.Status.SKIPPED)) {
                String reason = mine.stream().map(TestResult::message).distinct().findFirst().orElse("no case ran");
                untested.add(name);
                stderr.println("msrconf run: the " + name + " backend tested nothing: every case was skipped there; the first reason: "
                        + reason);
            }
        }
        if (!untested.isEmpty()) {
            if (untested.contains(KvmBackend.NAME)) {
                stderr.println("msrconf run: to test a real KVM without /dev/kvm, install QEMU (apt-get install qemu-system-x86"
                        + " busybox-static) and msrconf boots one (--kvm debian:6.12); to test only the model, say so: --backend emulator");
            }
            return ExitStatus.NOTHING_TESTED;
        }
        return ExitStatus.OK;
    }
}
