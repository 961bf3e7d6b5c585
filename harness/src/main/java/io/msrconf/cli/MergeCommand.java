package io.msrconf.cli;

import io.msrconf.matrix.KernelMatrix;
import io.msrconf.matrix.MatrixMerge;
import io.msrconf.matrix.MatrixReport;
import io.msrconf.report.ResultsDirectory;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code msrconf merge DIR... --out DIR}: the result directories of several matrix or run invocations (CI jobs, one
 * per kernel or host) made into one matrix: matrix.json, the table, one Allure report with the history of OUT.
 * Exit status 0 when every kernel ran and no case failed on any, 1 otherwise, 2 on a usage error (conflicting
 * shards included), 3 when the output cannot be written.
 */
@Command(name = "merge", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Merge the result directories of several 'msrconf matrix' or 'msrconf run' invocations (one per CI job) "
                + "into one matrix, as if one machine had run them all: OUT/matrix.json, OUT/kernels/*, OUT/allure-results/ "
                + "and OUT/html/index.html. Two shards with the same kernel conflict: nothing is merged.",
            "Status 0 when every kernel ran and no case failed on any, 1 otherwise, 2 on a usage error or conflicting shards."})
final class MergeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "DIR", arity = "1..*", description = "result directories of msrconf matrix or msrconf run")
    List<Path> inputs = new ArrayList<>();

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "where the merged matrix goes (a directory msrconf "
            + "made, or a new one; its html/history carries over)")
    Path out;

    @Option(names = "--no-html", description = "write the merged results, not the HTML report")
    boolean noHtml;

    @Override
    public Integer call() {
        CommandLine cl = spec.commandLine();
        PrintWriter stdout = cl.getOut();
        for (Path in : inputs) {
            if (!Files.isDirectory(in)) {
                throw new CommandLine.ParameterException(cl, in + " is not a directory");
            }
        }
        try (ResultsDirectory results = ResultsDirectory.open(out.toAbsolutePath().normalize())) {
            List<KernelMatrix.KernelResult> kernels;
            try {
                kernels = MatrixMerge.merge(inputs.stream().map(p -> p.toAbsolutePath().normalize()).toList(), results.staged("kernels"));
            } catch (MatrixMerge.Problem e) {
                cl.getErr().println("msrconf merge: " + e.getMessage());
                return ExitStatus.USAGE;
            }
            MatrixReport report = new MatrixReport(kernels);
            stdout.println("merge: " + kernels.size() + " kernels from " + inputs.size() + " result directories");
            stdout.println();
            stdout.print(report.table());
            MatrixOutputs.write(results, report, noHtml, "merge", cl.getErr());
            stdout.println();
            MatrixOutputs.printWhere(results, stdout);
            return report.allKernelsRan() && !report.anyFailure() ? ExitStatus.OK : ExitStatus.FAILED;
        } catch (ResultsDirectory.OutputException | UncheckedIOException e) {
            cl.getErr().println("msrconf merge: " + e.getMessage());
            return ExitStatus.HARNESS_ERROR;
        }
    }
}
