package io.msrconf.cli;

import io.msrconf.bench.Bench;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code msrconf bench}: the performance benchmark (io.msrconf.bench.Bench). */
public final class BenchCommand {

    static final String USAGE = """
                   msrconf bench [--rounds N] [--warmup N] [--exits N] [--fuzz-seconds N] [--specs DIR] [--floor-source FILE] [--no-suite]
                     benchmark the harness on the spec cases: KVM with fresh VMs (by phase) against the same ioctls
                     from C (bench/floor.c, built with gcc), a reused VM, the emulator, one MSR exit round trip and
                     the whole conformance run; prints medians in µs and the ratios (default 20 rounds, 3 warm-up)
            """;

    private BenchCommand() {
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        Bench.Options o = Bench.Options.defaults();
        int rounds = o.rounds();
        int warmup = o.warmup();
        int exits = o.exitCount();
        int fuzzSeconds = o.fuzzSeconds();
        Path specs = o.specs();
        Path floor = o.floorSource();
        boolean suite = o.wholeSuite();
        for (int i = 0; i < args.length; i++) {
            String opt = args[i];
            if (opt.equals("--no-suite")) {
                suite = false;
                continue;
            }
            if (i + 1 >= args.length) {
                err.println("msrconf bench: unknown or incomplete option '" + opt + "'");
                err.print(USAGE);
                return 2;
            }
            String value = args[++i];
            try {
                switch (opt) {
                    case "--rounds" -> rounds = positive(value, 1);
                    case "--warmup" -> warmup = positive(value, 0);
                    case "--exits" -> exits = positive(value, 1);
                    case "--fuzz-seconds" -> fuzzSeconds = positive(value, 1);
                    case "--specs" -> specs = Path.of(value);
                    case "--floor-source" -> floor = Path.of(value);
                    default -> {
                        err.println("msrconf bench: unknown option '" + opt + "'");
                        err.print(USAGE);
                        return 2;
                    }
                }
            } catch (NumberFormatException e) {
                err.println("msrconf bench: " + opt + " takes a number, not '" + value + "'");
                return 2;
            }
        }
        if (!Files.isDirectory(specs)) {
            err.println("msrconf bench: spec directory " + specs + " does not exist (run from the repository root, or pass --specs)");
            return 2;
        }
        if (exits > 8000) {
            err.println("msrconf bench: --exits is at most 8000 (one script table)");
            return 2;
        }
        return Bench.run(new Bench.Options(rounds, warmup, specs, exits, floor, suite, fuzzSeconds), out);
    }

    private static int positive(String value, int min) {
        int n = Integer.parseInt(value);
        if (n < min) {
            throw new NumberFormatException();
        }
        return n;
    }
}
