package io.msrconf.cli;

import io.msrconf.bench.Bench;
import io.msrconf.report.SuiteRun;
import io.msrconf.target.OpenedTarget;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code msrconf bench}: the performance benchmark ({@link Bench}). */
@Command(name = "bench", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Benchmark the harness on the spec cases: KVM with fresh VMs (by phase) against the same ioctls "
                + "from C (bench/floor.c, built with gcc), a reused VM, the emulator, one MSR exit round trip and the whole "
                + "conformance run; prints medians in µs and the ratios."})
public final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    SpecOptions specs;

    @Option(names = "--rounds", paramLabel = "N", description = "measured rounds (default 20)")
    int rounds = Bench.Options.defaults().rounds();

    @Option(names = "--warmup", paramLabel = "N", description = "warm-up rounds (default 3)")
    int warmup = Bench.Options.defaults().warmup();

    @Option(names = "--exits", paramLabel = "N", description = "MSR exits in the round-trip measurement (default 2000, at most 8000)")
    int exits = Bench.Options.defaults().exitCount();

    @Option(names = "--fuzz-seconds", paramLabel = "N", description = "length of the fuzz campaign measured (default 5)")
    int fuzzSeconds = Bench.Options.defaults().fuzzSeconds();

    @Option(names = "--floor-source", paramLabel = "FILE", description = "bench/floor.c (default: msrconf's own)")
    Path floorSource;

    @Option(names = "--no-suite", description = "skip the whole-suite measurements (on the target, and on a freshly booted QEMU target)")
    boolean noSuite;

    @Option(names = "--matrix", description = "also measure the default kernel matrix, every kernel booted (minutes of CPU)")
    boolean matrix;

    @Mixin
    KvmOption kvm;

    @Override
    public Integer call() {
        if (rounds < 1 || warmup < 0 || exits < 1 || fuzzSeconds < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--rounds, --exits and --fuzz-seconds take a positive number, "
                    + "--warmup zero or more");
        }
        if (exits > 8000) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--exits is at most 8000 (one script table)");
        }
        Path floor = floorSource != null ? floorSource.toAbsolutePath() : Installation.home().resolve("bench").resolve("floor.c");
        SuiteRun.KvmChoice choice = kvm.open(spec.commandLine().getOut());
        OpenedTarget target = choice instanceof SuiteRun.KvmChoice.Opened o ? o.target() : null;
        try {
            int status = Bench.run(new Bench.Options(rounds, warmup, specs.load().specs(), exits, floor, !noSuite, fuzzSeconds, target,
                    !noSuite, matrix), new java.io.PrintStream(new WriterOutputStream(spec.commandLine().getOut()), true));
            return status == 0 ? ExitStatus.OK : ExitStatus.HARNESS_ERROR;
        } finally {
            if (target != null) {
                target.close();
            }
        }
    }
}
