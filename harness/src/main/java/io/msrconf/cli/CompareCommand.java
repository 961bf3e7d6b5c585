package io.msrconf.cli;

import io.msrconf.pipeline.RunSummary;
import io.msrconf.report.SummaryComparison;
import io.msrconf.report.SummaryJson;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code msrconf compare BEFORE AFTER}: what changed between two runs' summaries, by case id and
 * backend. It fails (status 1) when a case regressed, when a case of BEFORE is missing from AFTER, or
 * when AFTER has a malformed input BEFORE did not have: each of those hides a result.
 */
@Command(name = "compare", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Compare two runs' summary.json (two kernels, a kernel and the emulator, a baseline and today): the "
                + "environments, then every case whose status or observation changed, regressions first.",
            "Status 1 when a case regressed, a case of BEFORE is missing from AFTER, or AFTER has new spec errors; 0 otherwise."})
final class CompareCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "BEFORE", description = "a summary.json; a relative path is relative to where you are")
    Path before;

    @Parameters(index = "1", paramLabel = "AFTER", description = "a summary.json (may be BEFORE itself, with --before-backend and --after-backend)")
    Path after;

    @Option(names = "--before-backend", paramLabel = "NAME", description = "compare only BEFORE's results of this backend "
            + "(kvm, emulator, kvm-vs-model), by case id; AFTER's of --after-backend, or of the same name")
    String beforeBackend;

    @Option(names = "--after-backend", paramLabel = "NAME", description = "compare only AFTER's results of this backend, by case id")
    String afterBackend;

    @Override
    public Integer call() {
        RunSummary b;
        RunSummary a;
        try {
            b = SummaryJson.read(before.toAbsolutePath());
            a = SummaryJson.read(after.toAbsolutePath());
        } catch (IllegalArgumentException | UncheckedIOException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        for (String[] side : new String[][] {{"--before-backend", beforeBackend, before.toString()}, {"--after-backend", afterBackend, after.toString()}}) {
            RunSummary summary = side[0].startsWith("--before") ? b : a;
            if (side[1] != null && summary.cases().stream().noneMatch(c -> c.backend().equals(side[1]))) {
                throw new CommandLine.ParameterException(spec.commandLine(), side[0] + ": " + side[2] + " has no results of backend '"
                        + side[1] + "' (it has " + summary.cases().stream().map(c -> c.backend()).distinct().sorted().toList() + ")");
            }
        }
        SummaryComparison comparison = SummaryComparison.compare(b, Optional.ofNullable(beforeBackend), a, Optional.ofNullable(afterBackend));
        spec.commandLine().getOut().print(comparison.report());
        spec.commandLine().getOut().flush();
        return comparison.failed() ? ExitStatus.FAILED : ExitStatus.OK;
    }
}
