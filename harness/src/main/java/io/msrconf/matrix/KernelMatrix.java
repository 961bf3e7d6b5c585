package io.msrconf.matrix;

import io.msrconf.pipeline.RunListener;
import io.msrconf.pipeline.RunSummary;
import io.msrconf.pipeline.TestResult;
import io.msrconf.report.KtapReport;
import io.msrconf.report.SuiteRun;
import io.msrconf.util.AtomicFiles;
import io.msrconf.target.KvmTarget;
import io.msrconf.target.OpenedTarget;
import io.msrconf.target.TargetUnavailable;
import io.msrconf.util.FileTrees;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.regex.Pattern;


/**
 * Runs the conformance suite against several KVM targets side by side: the host's /dev/kvm, and kernels
 * booted under QEMU whose KVM is driven through the msrconf agent. Every target runs in this process, through
 * the same pipeline as {@code msrconf run}: the KVM cases, the emulator as the model of that kernel, and KVM
 * against the model. Each target leaves its own summary.json and Allure results (the kernel as a dimension),
 * its run log and, for a booted kernel, its console.
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
    public record KernelResult(KvmTarget target, Optional<RunSummary> summary, String failure, Path dir, Duration elapsed) {

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

    public static List<KernelResult> run(List<KvmTarget> targets, Options options, PrintStream progress) {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, options.parallel()));
        try {
            List<Future<KernelResult>> futures = new ArrayList<>();
            for (KvmTarget t : targets) {
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

    /**
     * One target: opened (a kernel booted), its suite run, its outputs under OUT/kernels/LABEL. A target that
     * does not finish within the options' timeout is closed under the run (QEMU killed) and reported as not run.
     * The host without a usable /dev/kvm runs with every KVM case skipped, with the reason.
     */
    public static KernelResult runOne(KvmTarget target, Options options, PrintStream progress) {
        return runOne(target, options, progress, BeforeTheSuite.NOTHING);
    }

    /**
     * What a booted target's guest does before the suite, in the same boot: run programs it carries (the kernel's own
     * selftest, whose verdict {@code inGuest} keeps). When that leaves the guest dead, the suite gets a fresh boot.
     */
    public record BeforeTheSuite(Map<String, Path> programs, Consumer<OpenedTarget> inGuest) {
        public static final BeforeTheSuite NOTHING = new BeforeTheSuite(Map.of(), t -> { });

        public BeforeTheSuite {
            programs = Map.copyOf(programs);
        }
    }

    /** As {@link #runOne(KvmTarget, Options, PrintStream)}, with {@code before} done in the guest first. */
    public static KernelResult runOne(KvmTarget target, Options options, PrintStream progress, BeforeTheSuite before) {
        long start = System.nanoTime();
        Path dir = options.outDir().resolve("kernels").resolve(target.label());
        try {
            FileTrees.delete(dir);
            Files.createDirectories(dir.resolve("results"));
        } catch (IOException e) {
            return done(progress, new KernelResult(target, Optional.empty(), "cannot create " + dir + ": " + e.getMessage(), dir,
                    elapsed(start)));
        }
        say(progress, target, target.booted() ? "booting it under QEMU (TCG)" : "running on this machine's kernel");
        SuiteRun.KvmChoice choice;
        try {
            OpenedTarget t = target.open(options.kernelCache(), before.programs());
            try {
                before.inGuest().accept(t);
                if (!t.alive()) {
                    t.restart();
                }
            } catch (TargetUnavailable | RuntimeException e) {
                t.close();
                throw e;
            }
            choice = new SuiteRun.KvmChoice.Opened(t);
        } catch (TargetUnavailable e) {
            if (target.booted()) {
                return done(progress, new KernelResult(target, Optional.empty(), e.getMessage(), dir, elapsed(start)));
            }
            choice = new SuiteRun.KvmChoice.Unavailable(e.getMessage());
        }
        OpenedTarget opened = choice instanceof SuiteRun.KvmChoice.Opened o ? o.target() : null;
        if (opened != null && target.booted()) {
            say(progress, target, "booted in " + opened.bootTime().toMillis() / 100 / 10.0 + " s; running the suite on it");
        }
        SuiteRun.Options run = new SuiteRun.Options(options.specs(), Pattern.compile(options.only()), choice, true,
                dir.resolve("results").resolve("summary.json"), dir.resolve("results").resolve("allure-results"), true,
                options.ignoreKernelRanges());
        ExecutorService worker = Executors.newSingleThreadExecutor(r -> new Thread(r, "msrconf-matrix " + target.label()));
        try (PrintStream log = new PrintStream(Files.newOutputStream(dir.resolve("run.log")), true, StandardCharsets.UTF_8)) {
            Future<RunSummary> result = worker.submit(() -> SuiteRun.run(run, new RunListener() {
                @Override
                public void testFinished(TestResult r) {
                    log.println(r.status() + " " + r.headline() + (r.message().isEmpty() ? "" : "\n    " + r.detail().replace("\n", "\n    ")));
                }
            }).summary());
            try {
                RunSummary summary = result.get(options.timeout().toMillis(), TimeUnit.MILLISECONDS);
                // each kernel as KTAP too, the format a kernel CI lab parses per kernel it boots
                AtomicFiles.write(dir.resolve("results").resolve("results.ktap"), KtapReport.of(summary));
                return done(progress, new KernelResult(target, Optional.of(summary), "", dir, elapsed(start)));
            } catch (TimeoutException e) {
                result.cancel(true);
                return done(progress, new KernelResult(target, Optional.empty(), "the suite did not finish within "
                        + options.timeout().toSeconds() + " s" + (opened != null ? opened.lastWords() : ""), dir, elapsed(start)));
            } catch (ExecutionException e) {
                return done(progress, new KernelResult(target, Optional.empty(), "the suite crashed: " + e.getCause()
                        + (opened != null ? opened.lastWords() : ""), dir, elapsed(start)));
            }
        } catch (IOException e) {
            return done(progress, new KernelResult(target, Optional.empty(), "cannot write the results into " + dir + ": "
                    + e.getMessage(), dir, elapsed(start)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return done(progress, new KernelResult(target, Optional.empty(), "interrupted", dir, elapsed(start)));
        } finally {
            if (opened != null) {
                opened.saveConsole(dir.resolve("console.log"));
                opened.close();   // a hung run fails fast once its guest is gone
            }
            worker.shutdownNow();
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

    private static void say(PrintStream progress, KvmTarget t, String message) {
        if (progress != null) {
            synchronized (progress) {
                progress.println("matrix: " + t.label() + ": " + message);
            }
        }
    }

    private static Duration elapsed(long start) {
        return Duration.ofNanos(System.nanoTime() - start);
    }

}
