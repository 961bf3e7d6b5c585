package io.msrconf.cli;

import io.msrconf.target.KvmTarget;
import io.msrconf.target.OpenedTarget;
import io.msrconf.target.TargetUnavailable;
import io.msrconf.pipeline.RunSummary;
import io.msrconf.pipeline.RunSummary.CaseEntry;
import io.msrconf.pipeline.RunSummary.Status;
import io.msrconf.spec.SpecError;
import io.msrconf.report.SuiteRun;
import io.msrconf.util.AtomicFiles;
import io.msrconf.report.KtapReport;
import io.msrconf.util.FileTrees;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code msrconf bisect-run}: one step of {@code git bisect run}. Runs the conformance suite on this
 * machine's KVM and answers in git's exit codes: good, bad, or skip when this kernel cannot say (no
 * usable KVM, every selected case skipped, broken specs, a crashed run), so a bisection never blames a
 * commit for a problem of the test setup.
 */
@Command(name = "bisect-run", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"For `git bisect run`: run the suite on KVM only and answer in git's exit codes.",
            "0 (good) when no case failed, 1 (bad) when one did, 125 (skip) when this kernel cannot be tested (KVM "
                + "unavailable, every selected case skipped, spec errors, the run crashed, the kernel did not boot), 128 on "
                + "a usage error, which aborts the bisection."})
final class BisectRunCommand implements Callable<Integer> {

    static final int GOOD = 0;
    static final int BAD = 1;
    static final int SKIP = 125;
    /** Above 127 git aborts the bisection: a usage error is the same on every commit, so marking commits bad or skipped would mislead. */
    static final int ABORT = 128;

    /** git bisect's codes, for the help. */
    static final java.util.Map<String, String> EXIT_CODES = exitCodes();

    private static java.util.Map<String, String> exitCodes() {
        java.util.Map<String, String> codes = new java.util.LinkedHashMap<>();
        codes.put("  " + GOOD, "good: no case failed");
        codes.put("  " + BAD, "bad: a case failed");
        codes.put(SKIP + "", "skip: this kernel cannot be tested (no usable KVM, every case skipped, spec errors, a crash, no boot)");
        codes.put(ABORT + "", "usage error: the same on every commit, so the bisection is aborted");
        return java.util.Collections.unmodifiableMap(codes);
    }

    private static final RunSummary NOT_RUN = new RunSummary(Map.of(), List.of());

    /** What a step concludes, with the reason for the last line of output. */
    record Outcome(int exitCode, String reason) {

        String line() {
            String verdict = switch (exitCode) {
                case GOOD -> "good";
                case BAD -> "bad";
                default -> "skip (" + exitCode + ")";
            };
            return "bisect-run: " + verdict + ": " + reason;
        }
    }

    @Spec
    CommandSpec spec;

    @Mixin
    SpecOptions specs;

    @Option(names = "--kernel", paramLabel = "IMAGE[,modules=DIR]",
            description = "boot this kernel image (and its lib/modules/RELEASE tree) under QEMU and test its KVM; "
                    + "a relative path is relative to where you are (default: this machine's own KVM)")
    String kernelSpec;

    @Option(names = "--ktap", paramLabel = "FILE", description = "also write the step's results as KTAP (see run --ktap)")
    Path ktap;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        KvmTarget kernel = null;
        if (kernelSpec != null) {
            try {
                kernel = KvmTarget.parse(kernelSpec);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
        }
        SpecOptions.Selection s = specs.load();
        List<SpecError> errors = new ArrayList<>(s.set().errors());
        errors.addAll(s.deviations().errors());
        errors.forEach(e -> out.println("SPEC ERROR " + e));
        if (errors.isEmpty() && s.selected().isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), RunCommand.nothingSelected(s));
        }
        KvmTarget target = kernel != null ? kernel : KvmTarget.parse("host");
        PrintStream progress = new PrintStream(new WriterOutputStream(out), true);
        Outcome outcome = step(target, s.specs(), specs.only, !errors.isEmpty(), progress, ktap == null ? null : ktap.toAbsolutePath());
        out.println(outcome.line());
        return outcome.exitCode();
    }

    /**
     * Opens the target (this machine's KVM, or the kernel booted under QEMU), runs the KVM cases on it and
     * decides. A target that cannot be opened (no usable KVM, a kernel that does not boot) or a run that does
     * not complete cannot be judged: skip.
     */
    private static Outcome step(KvmTarget target, Path specs, String only, boolean specErrors, PrintStream out, Path ktap) {
        if (specErrors) {
            return decide(NOT_RUN, Optional.empty(), true);
        }
        OpenedTarget opened;
        try {
            if (target.booted()) {
                out.println("bisect-run: booting " + target.spec() + " under QEMU");
            }
            opened = target.open(KvmTarget.defaultCache());
        } catch (TargetUnavailable e) {
            return target.booted() ? new Outcome(SKIP, "the kernel could not be tested: " + e.getMessage())
                    : decide(NOT_RUN, Optional.of(e.getMessage()), false);
        }
        try (opened) {
            return inScratch(scratch -> {
                RunSummary summary = SuiteRun.run(new SuiteRun.Options(specs, Pattern.compile(only),
                        new SuiteRun.KvmChoice.Opened(opened), false, scratch.resolve("summary.json"), null, false, false), null).summary();
                if (ktap != null) {
                    try {
                        AtomicFiles.write(ktap, KtapReport.of(summary));
                    } catch (IOException e) {
                        // the verdict stands: git bisect must not skip a kernel for a file msrconf could not write
                        out.println("bisect-run: cannot write the KTAP file " + ktap + ": " + e.getMessage());
                    }
                }
                return judged(summary, Optional.empty(), out);
            });
        }
    }

    /** A step's work, given a temporary directory for its results. */
    private interface ScratchStep {
        Outcome run(Path scratch) throws IOException;
    }

    /** Runs {@code step} in a fresh temporary directory, removed afterwards; a run that cannot complete is a skip. */
    private static Outcome inScratch(ScratchStep step) {
        Path scratch = null;
        try {
            scratch = Files.createTempDirectory("msrconf-bisect-");
            return step.run(scratch);
        } catch (IOException | RuntimeException e) {
            return new Outcome(SKIP, "the run could not complete: " + e);
        } finally {
            deleteTree(scratch);
        }
    }

    /** Lists the failed cases, then decides. */
    private static Outcome judged(RunSummary summary, Optional<String> kvmUnavailable, PrintStream out) {
        summary.cases().stream().filter(c -> c.status().isFailure())
                .forEach(c -> out.println(c.status() + " " + c.key() + ": " + c.reason()));
        return decide(summary, kvmUnavailable, false);
    }

    /** The step's exit code for git: see {@link #decide}. */
    static int exitCode(RunSummary s, Optional<String> kvmUnavailable, boolean specErrors) {
        return decide(s, kvmUnavailable, specErrors).exitCode();
    }

    /**
     * Skip when KVM is unavailable or the specs have errors (whatever the summary holds), bad when any
     * case's status is a failure, skip when no case was tested (none ran, or all were skipped), else good.
     * A known deviation counts as tested and not failed, as in CI.
     */
    static Outcome decide(RunSummary s, Optional<String> kvmUnavailable, boolean specErrors) {
        if (kvmUnavailable.isPresent()) {
            return new Outcome(SKIP, "KVM unavailable: " + kvmUnavailable.get());
        }
        if (specErrors) {
            return new Outcome(SKIP, "the specs or the known-deviations file have errors (listed above)");
        }
        long failed = s.cases().stream().filter(c -> c.status().isFailure()).count();
        if (failed > 0) {
            return new Outcome(BAD, failed + " of " + s.cases().size() + (s.cases().size() == 1 ? " case" : " cases")
                    + " failed (listed above)");
        }
        if (s.cases().isEmpty()) {
            return new Outcome(SKIP, "no case ran");
        }
        if (s.cases().stream().allMatch(c -> c.status() == Status.SKIPPED)) {
            List<String> skipReasons = s.cases().stream().map(CaseEntry::message).distinct().toList();
            return new Outcome(SKIP, "every selected case was skipped: " + skipReasons.get(0)
                    + (skipReasons.size() == 2 ? " (and 1 other reason)"
                    : skipReasons.size() > 2 ? " (and " + (skipReasons.size() - 1) + " other reasons)" : ""));
        }
        return new Outcome(GOOD, s.statusCounts());
    }

    /** Best effort: a leftover temporary directory must not turn a good step into a skipped one. */
    private static void deleteTree(Path dir) {
        if (dir == null) {
            return;
        }
        try {
            FileTrees.delete(dir);
        } catch (IOException e) {
            // The directory is under the system temp directory, which is cleaned independently.
        }
    }
}
