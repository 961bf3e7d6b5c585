package io.msrconf.matrix;

import io.msrconf.backend.KvmBackend;
import io.msrconf.pipeline.RunSummary;
import io.msrconf.report.SuiteRun;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The process a kernel of the matrix runs (inside its guest, or on the host): the suite's KVM cases on
 * that kernel's /dev/kvm, results into a directory, labelled with the kernel so that several kernels
 * share one report. Its arguments are positional and written only by {@link KernelMatrix}:
 * {@code SPECS OUT ONLY IGNORE_KERNEL_RANGES}. Exit status 0 when the summary was written.
 */
public final class KernelSuiteMain {

    private KernelSuiteMain() {
    }

    public static void main(String[] args) {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        if (args.length != 4) {
            out.println("usage: KernelSuiteMain SPECS OUT ONLY IGNORE_KERNEL_RANGES (written by the kernel matrix)");
            System.exit(2);
        }
        Path results = Path.of(args[1]);
        RunSummary summary = SuiteRun.run(new SuiteRun.Options(Path.of(args[0]), Pattern.compile(args[2]), List.of(KvmBackend.NAME),
                results.resolve("summary.json"), results.resolve("allure-results"), true, Boolean.parseBoolean(args[3])),
                new io.msrconf.pipeline.RunListener() {
                    @Override
                    public void testFinished(io.msrconf.pipeline.TestResult r) {
                        out.println(r.status() + " " + r.headline() + (r.message().isEmpty() ? "" : "\n    " + r.detail().replace("\n", "\n    ")));
                    }
                }).summary();
        out.println(summary.statusCounts());
        System.exit(0);
    }

    /** Its command-line arguments for a kernel's run. */
    static List<String> arguments(KernelMatrix.Options options, Path results) {
        return List.of(KernelSuiteMain.class.getName(), options.specs().toString(), results.toString(), options.only(),
                String.valueOf(options.ignoreKernelRanges()));
    }
}
