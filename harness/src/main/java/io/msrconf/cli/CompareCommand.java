package io.msrconf.cli;

import io.msrconf.pipeline.RunSummary;
import io.msrconf.report.SummaryComparison;
import io.msrconf.report.SummaryJson;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
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

    @Parameters(index = "1", paramLabel = "AFTER", description = "a summary.json")
    Path after;

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
        SummaryComparison comparison = SummaryComparison.compare(b, a);
        spec.commandLine().getOut().print(comparison.report());
        spec.commandLine().getOut().flush();
        return comparison.failed() ? ExitStatus.FAILED : ExitStatus.OK;
    }
}
