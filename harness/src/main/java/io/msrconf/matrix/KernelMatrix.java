package io.msrconf.matrix;

import io.msrconf.pipeline.RunSummary;
import io.msrconf.report.SummaryJson;
import io.msrconf.util.FileTrees;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Runs the conformance suite's KVM cases against several kernels: the host's directly, every other one
 * booted under QEMU with the suite running inside it. Every kernel runs the very same command,
 * {@link KernelSuiteMain}, from the same classpath (the guest sees the host's root over 9p), so the
 * KVM logic exists once, in Java. Each kernel leaves its own summary.json and Allure results; the
 * results carry the kernel as a dimension.
 */
public final class KernelMatrix {

    public record Options(Path specs, String only, Path outDir, Path kernelCache, Duration timeout, int parallel,
                          boolean ignoreKernelRanges) {

        public Options {
            specs = specs.toAbsolutePath().normalize();
            outDir = outDir.toAbsolutePath().normalize();
        }

        public Options(Path specs, String only, Path outDir, Path kernelCache, Duration timeout, int parallel) {
            this(specs, only, outDir, kernelCache, timeout, parallel, false);
        }
    }

    /** What one kernel gave: its summary, or why there is none. */
    public record KernelResult(KernelTarget target, Optional<RunSummary> summary, String failure, Path dir, Duration elapsed) {

        /** The kernel release the run reported, or the target's label when it did not run. */
        public String release() {
            return summary.map(s -> s.environment().getOrDefault("kernel.release", "?")).orElse(target.label());
        }

        public String kvmModule() {
            return summary.map(s -> s.environment().getOrDefault("kvm.module", "?")).orElse("?");
        }

        public String cpuModel() {
            return summary.map(s -> s.environment().getOrDefault("cpu.model", "?")).orElse("?");
        }

        /** The column heading: the release and the KVM module, e.g. "6.1.0-50-amd64 kvm_amd". */
        public String column() {
            return summary.isPresent() ? release() + " " + kvmModule() : target.label();
        }

        public Path summaryFile() {
            return dir.resolve("results").resolve("summary.json");
        }
    }

    private KernelMatrix() {
    }

    public static List<KernelResult> run(List<KernelTarget> targets, Options options, PrintStream progress) {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, options.parallel()));
        try {
            List<Future<KernelResult>> futures = new ArrayList<>();
            for (KernelTarget t : targets) {
                futures.add(pool.submit(() -> runOne(t, options, progress)));
            }
            List<KernelResult> results = new ArrayList<>();
            for (int i = 0; i < futures.size(); i++) {
                try {
                    results.add(futures.get(i).get());
                } catch (ExecutionException e) {
                    results.add(new KernelResult(targets.get(i), Optional.empty(), "crashed: " + e.getCause(),
                            options.outDir().resolve("kernels").resolve(targets.get(i).label()), Duration.ZERO));
                }
            }
            return results;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running the kernel matrix", e);
        } finally {
            pool.shutdownNow();
        }
    }

    public static KernelResult runOne(KernelTarget target, Options options, PrintStream progress) {
        long start = System.nanoTime();
        Path dir = options.outDir().resolve("kernels").resolve(target.label());
        try {
            FileTrees.delete(dir.resolve("results"));
            Files.createDirectories(dir.resolve("tmp"));
            Files.createDirectories(dir.resolve("results"));
            String failure;
            if (target.kind() == KernelTarget.Kind.HOST) {
                say(progress, target, "running on this machine's kernel");
                failure = runOnHost(dir, options);
            } else {
                Optional<String> noQemu = QemuGuest.unavailableReason();
                if (noQemu.isPresent()) {
                    return done(progress, new KernelResult(target, Optional.empty(), "cannot boot kernels here: " + noQemu.get(),
                            dir, elapsed(start)));
                }
                QemuGuest.Kernel kernel = target.bootable(options.kernelCache());
                say(progress, target, "booting " + kernel.image() + " under QEMU (TCG)");
                QemuGuest.Outcome outcome = QemuGuest.run(kernel, guestCommand(dir, options), dir, dir, options.timeout());
                failure = outcome.completed() ? "" : outcome.failure();
            }
            Path summaryFile = dir.resolve("results").resolve("summary.json");
            if (Files.isRegularFile(summaryFile)) {
                return done(progress, new KernelResult(target, Optional.of(SummaryJson.read(summaryFile)), "", dir, elapsed(start)));
            }
            // The suite ran to its end without a summary: it refused its input or crashed; run.log says which.
            return done(progress, new KernelResult(target, Optional.empty(), failure.isEmpty()
                    ? "the suite wrote no summary.json" + QemuGuest.lastLines(dir.resolve("run.log")) : failure, dir, elapsed(start)));
        } catch (IOException | RuntimeException e) {
            return done(progress, new KernelResult(target, Optional.empty(), e.getMessage(), dir, elapsed(start)));
        }
    }

    private static KernelResult done(PrintStream progress, KernelResult r) {
        if (r.summary().isPresent()) {
            String counts = r.summary().get().statusCounts();
            say(progress, r.target(), r.release() + " (" + r.kvmModule() + ", " + r.cpuModel() + "): " + counts
                    + " in " + r.elapsed().toSeconds() + " s");
        } else {
            say(progress, r.target(), "NOT RUN: " + r.failure());
        }
        return r;
    }

    private static void say(PrintStream progress, KernelTarget t, String message) {
        if (progress != null) {
            synchronized (progress) {
                progress.println("matrix: " + t.label() + ": " + message);
            }
        }
    }

    private static Duration elapsed(long start) {
        return Duration.ofNanos(System.nanoTime() - start);
    }

    /** The suite's command line for one kernel: {@link KernelSuiteMain}, KVM only, results into DIR/results. */
    static List<String> suiteCommand(Path dir, Options options, boolean inGuest) {
        List<String> argv = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.io.tmpdir=" + dir.resolve("tmp"),
                "-Djna.tmpdir=" + dir.resolve("tmp"),
                "-Dfile.encoding=UTF-8", "-Dsun.stdout.encoding=UTF-8"));
        if (inGuest) {
            // Under TCG the JIT's second tier costs more than it gains for a run this short: a Debian 6.1
            // guest ran the suite in 42-46 s with C1 only and 63-70 s with both tiers (3 runs each, side by side).
            argv.add("-XX:TieredStopAtLevel=1");
        }
        argv.addAll(List.of("-cp", absoluteClassPath()));
        argv.addAll(KernelSuiteMain.arguments(options, dir.resolve("results")));
        return argv;
    }

    static String guestCommand(Path dir, Options options) {
        return "cd " + QemuGuest.shellQuote(Path.of("").toAbsolutePath().toString()) + " && HOME=" + QemuGuest.shellQuote(dir.resolve("tmp").toString())
                + " exec " + suiteCommand(dir, options, true).stream().map(QemuGuest::shellQuote).collect(Collectors.joining(" "))
                + " > " + QemuGuest.shellQuote(dir.resolve("run.log").toString()) + " 2>&1";
    }

    private static String runOnHost(Path dir, Options options) throws IOException {
        Process p = new ProcessBuilder(suiteCommand(dir, options, false)).redirectErrorStream(true)
                .redirectOutput(dir.resolve("run.log").toFile()).start();
        try {
            if (!p.waitFor(options.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return "the run did not finish within " + options.timeout().toSeconds() + " s (see " + dir.resolve("run.log") + ")";
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            return "interrupted";
        }
        return "";
    }

    /** This JVM's classpath with absolute entries, so that the same command works from the guest's working directory. */
    static String absoluteClassPath() {
        return java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .filter(e -> !e.isEmpty()).map(e -> Path.of(e).toAbsolutePath().normalize().toString())
                .collect(Collectors.joining(java.io.File.pathSeparator));
    }
}
