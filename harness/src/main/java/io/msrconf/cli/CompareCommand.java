package io.msrconf.cli;

import io.msrconf.pipeline.RunSummary;
import io.msrconf.report.SummaryComparison;
import io.msrconf.report.SummaryJson;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * {@code msrconf compare BEFORE.json AFTER.json}: what changed between two runs' summaries. Exit
 * status 1 when a case regressed (so a script can gate on it), 0 otherwise, 2 on a usage error or a
 * file that is not a readable summary.
 */
final class CompareCommand {

    /** Main's usage text, continued: indented to follow its first line. */
    static final String USAGE = """
                   msrconf compare BEFORE.json AFTER.json
                     compare two runs' summary.json: the environments, then every case whose status or
                     observation changed, regressions first; exit status 1 when a case regressed
            """;

    private CompareCommand() {
    }

    /** @param args the arguments after {@code compare} */
    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length != 2) {
            err.println("msrconf compare: expected two summary files, got " + args.length + " arguments");
            err.print("usage: " + USAGE.stripLeading());
            return 2;
        }
        RunSummary before;
        RunSummary after;
        try {
            before = SummaryJson.read(Path.of(args[0]));
            after = SummaryJson.read(Path.of(args[1]));
        } catch (IllegalArgumentException | UncheckedIOException e) {
            err.println("msrconf compare: " + e.getMessage());
            return 2;
        }
        SummaryComparison comparison = SummaryComparison.compare(before, after);
        out.print(comparison.report());
        return comparison.regressed() ? 1 : 0;
    }
}
