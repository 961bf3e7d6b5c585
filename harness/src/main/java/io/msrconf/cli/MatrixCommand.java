package io.msrconf.cli;

import io.msrconf.matrix.KernelMatrix;
import io.msrconf.target.KvmTarget;
import io.msrconf.matrix.MatrixReport;
import io.msrconf.report.ResultsDirectory;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;


/**
 * {@code msrconf matrix}: the suite's KVM cases on several kernels, side by side. Exit status 0 when every
 * kernel ran and no case failed on any, 1 otherwise, 2 on a usage error.
 */
@Command(name = "matrix", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Run the KVM cases on several kernels (default: debian:5.10 debian:6.1 debian:6.12 host) and print "
                + "case x kernel with the differences first. Writes OUT/matrix.json, OUT/kernels/*/results/summary.json, "
                + "OUT/allure-results/ and OUT/html/index.html.",
            "Status 0 when every kernel ran and no case failed on any, 1 otherwise."})
final class MatrixCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    SpecOptions specs;

    @Mixin
    OutOptions out;

    @Option(names = "--kernel", paramLabel = "K", description = "host, debian:5.10|6.1|6.12 (fetched and cached), or "
            + "IMAGE[,modules=DIR] for a kernel you built (booted under QEMU); repeat for several")
    List<String> kernels = new ArrayList<>();

    @Option(names = "--parallel", paramLabel = "N", description = "kernels run at the same time (default: the number of CPUs)")
    int parallel = Math.max(1, Runtime.getRuntime().availableProcessors());

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "a kernel that has not finished by then is reported as not run (default 300)")
    int timeoutSeconds = 300;

    @Option(names = "--ignore-kernel-ranges", description = "run every case on every kernel, to see each per-version "
            + "expectation fail where it does not apply")
    boolean ignoreRanges;

    @Option(names = "--no-html", description = "write the results, not the HTML report")
    boolean noHtml;

    @Override
    public Integer call() {
        CommandLine cl = spec.commandLine();
        PrintWriter stdout = cl.getOut();
        if (parallel < 1 || timeoutSeconds < 1) {
            throw new CommandLine.ParameterException(cl, "--parallel and --timeout take a positive whole number");
        }
        List<KvmTarget> targets = new ArrayList<>();
        try {
            (kernels.isEmpty() ? KvmTarget.DEFAULT_MATRIX : kernels).forEach(k -> targets.add(KvmTarget.parse(k)));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage());
        }
        if (targets.stream().map(KvmTarget::label).distinct().count() < targets.size()) {
            throw new CommandLine.ParameterException(cl, "a kernel is named twice");
        }
        SpecOptions.Selection s = specs.load();
        if (!s.set().hasErrors() && s.selected().isEmpty()) {
            cl.getErr().println("msrconf matrix: " + RunCommand.nothingSelected(s));
            return ExitStatus.NOTHING_SELECTED;
        }
        Path outDir = out.directory(Installation.defaultMatrixOut());
        PrintStream progress = new PrintStream(new WriterOutputStream(stdout), true);
        stdout.println("matrix: " + targets.size() + " kernels: " + String.join(", ", targets.stream().map(KvmTarget::spec).toList())
                + " (kernel cache " + KvmTarget.defaultCache() + ")");
        long start = System.nanoTime();
        try (ResultsDirectory results = ResultsDirectory.open(outDir)) {
            List<KernelMatrix.KernelResult> run = KernelMatrix.run(targets, new KernelMatrix.Options(s.specs(), specs.only,
                    results.stagingRoot(), KvmTarget.defaultCache(), Duration.ofSeconds(timeoutSeconds), parallel, ignoreRanges), progress);
            MatrixReport report = new MatrixReport(run);
            stdout.println();
            stdout.print(report.table());
            MatrixOutputs.write(results, report, noHtml, "matrix", cl.getErr());
            stdout.println();
            stdout.println("matrix: " + run.size() + " kernels in " + Duration.ofNanos(System.nanoTime() - start).toSeconds() + " s");
            MatrixOutputs.printWhere(results, stdout);
            return report.allKernelsRan() && !report.anyFailure() ? ExitStatus.OK : ExitStatus.FAILED;
        } catch (ResultsDirectory.OutputException e) {
            cl.getErr().println("msrconf matrix: " + e.getMessage());
            return ExitStatus.HARNESS_ERROR;
        }
    }

}
