package io.msrconf.kernelmutants;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.msrconf.util.AtomicFiles;
import io.msrconf.util.FileTrees;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A kernel mutation campaign: the unmutated KVM built and tested first (the baseline must pass, or no mutant
 * result means anything), then every mutant built, booted and tested. The campaign directory keeps one state
 * file per mutant (state/ID.json), written atomically after each step, so a stopped campaign resumes where it
 * stopped and a finished mutant is never built or run again unless asked.
 *
 * <p>Mutants are built (two build slots at once) a few ahead of the kernels booted to test them ({@code parallel} at
 * once), and each module tree is deleted once its mutant is judged. Building everything first would be simpler, but
 * would keep hundreds of module trees on disk at once.
 */
public final class KernelMutantCampaign {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final int BUILD_SLOTS = 2;

    public record Options(Path pristineSources, Path campaignDir, String release, int parallel, boolean rerun) {
    }

    /** The unmutated kernel failed the suite (or did not run): mutants cannot be judged against it. */
    public static final class BaselineFailed extends RuntimeException {
        public BaselineFailed(String message) {
            super(message);
        }
    }

    private final Options options;
    private final ModuleBuilder builder;
    private final SuiteRunner runner;
    /**
     * The kernel's own selftest, asked for its verdict on each kernel after the suite (a runner may have run it in the
     * suite's own guest, as {@link QemuMutantRunner} does); null: not run.
     */
    private final SelftestRunner selftest;
    private final PrintStream progress;
    private final BlockingQueue<Integer> freeSlots = new ArrayBlockingQueue<>(BUILD_SLOTS);
    private Map<String, Integer> positions = Map.of();
    private int total;

    public KernelMutantCampaign(Options options, ModuleBuilder builder, SuiteRunner runner, PrintStream progress) {
        this(options, builder, runner, null, progress);
    }

    /** With the kernel's selftest run on every kernel too ({@code selftest} null: not run). */
    public KernelMutantCampaign(Options options, ModuleBuilder builder, SuiteRunner runner, SelftestRunner selftest, PrintStream progress) {
        this.options = options;
        this.builder = builder;
        this.runner = runner;
        this.selftest = selftest;
        this.progress = progress;
        for (int s = 0; s < BUILD_SLOTS; s++) {
            freeSlots.add(s);
        }
    }

    /** Runs what is not finished yet and returns every selected mutant's status, in the given order. */
    public List<MutantStatus> run(List<Mutant> mutants) throws InterruptedException {
        long start = System.nanoTime();
        prepareSlots();
        List<String> baselineFailures = baseline();
        Map<String, MutantStatus> done = new ConcurrentHashMap<>();
        List<Mutant> todo = new ArrayList<>();
        for (Mutant m : mutants) {
            Optional<MutantStatus> s = options.rerun() ? Optional.empty() : readState(m);
            if (s.isPresent()) {
                // finished, or built with its module tree still there: either way not built again
                done.put(m.id(), s.get());
            }
            if (s.isEmpty() || !s.get().outcome().finished()) {
                todo.add(m);
            }
        }
        long finished = done.values().stream().filter(st -> st.outcome().finished()).count();
        if (finished > 0) {
            say("resuming: " + finished + " of " + mutants.size() + " mutants already finished, " + todo.size() + " to go");
        }
        Map<String, Integer> position = new LinkedHashMap<>();
        for (int k = 0; k < mutants.size(); k++) {
            position.put(mutants.get(k).id(), k + 1);
        }
        this.positions = position;
        this.total = mutants.size();
        buildAheadAndRun(todo, baselineFailures, done, start);
        return mutants.stream().map(m -> done.get(m.id())).toList();
    }

    /**
     * Builds and runs {@code todo} as a pipeline: the build slots build the next mutants while the booted kernels test
     * the ones built, so neither waits for the slowest of a batch (a mutant that hangs its guest holds one runner until
     * the timeout, not the whole campaign). Builds run at most {@code parallel + BUILD_SLOTS} mutants ahead of the
     * finished ones, which bounds the module trees on disk.
     */
    private void buildAheadAndRun(List<Mutant> todo, List<String> baselineFailures, Map<String, MutantStatus> done, long start)
            throws InterruptedException {
        int parallel = Math.max(1, options.parallel());
        Semaphore inFlight = new Semaphore(parallel + BUILD_SLOTS);
        ExecutorService builds = Executors.newFixedThreadPool(BUILD_SLOTS);
        ExecutorService runs = Executors.newFixedThreadPool(parallel);
        AtomicInteger finishedHere = new AtomicInteger();
        long workStart = System.nanoTime();
        List<Future<MutantStatus>> results = new ArrayList<>();
        try {
            for (Mutant m : todo) {
                inFlight.acquire();
                MutantStatus earlier = done.get(m.id());   // built by an interrupted campaign, its module tree still there
                Future<MutantStatus> built = earlier != null ? CompletableFuture.completedFuture(earlier) : builds.submit(() -> buildOne(m));
                results.add(runs.submit(() -> {
                    try {
                        MutantStatus b = outcomeOf(built);
                        MutantStatus s = b.outcome() == MutantStatus.Outcome.BUILT ? runOne(m, baselineFailures, b) : b;
                        done.put(m.id(), s);
                        int n = finishedHere.incrementAndGet();
                        double perMutant = (System.nanoTime() - workStart) / 1e9 / n;
                        say("elapsed " + seconds(System.nanoTime() - start) + ", about " + Math.round(perMutant * (todo.size() - n))
                                + " s left (" + (todo.size() - n) + " mutants)");
                        return s;
                    } finally {
                        inFlight.release();
                    }
                }));
            }
            for (Future<MutantStatus> f : results) {
                outcomeOf(f);
            }
        } finally {
            builds.shutdownNow();
            runs.shutdownNow();
        }
    }

    /** A step's status; its exception, as thrown in the step. */
    private static MutantStatus outcomeOf(Future<MutantStatus> step) throws InterruptedException {
        try {
            return step.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof InterruptedException i) {
                throw i;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** The unmutated sources built and tested; their failures (none, or the campaign stops) are the reference. */
    private List<String> baseline() throws InterruptedException {
        Path file = options.campaignDir().resolve("baseline.json");
        if (!options.rerun() && Files.isRegularFile(file)) {
            try {
                MutantStatus s = JSON.readValue(file.toFile(), MutantStatus.class);
                if (s.outcome() == MutantStatus.Outcome.SURVIVED && (selftest == null || s.selftest() == MutantStatus.Selftest.SURVIVED)) {
                    say("baseline: the unmutated KVM passed the suite in an earlier run of this campaign (" + file + ")");
                    calibrate(s.runSeconds());
                    return List.of();
                }
            } catch (IOException e) {
                // unreadable: build and run it again
            }
        }
        say("baseline: building the unmutated KVM modules");
        Path tree = tree("baseline");
        long t0 = System.nanoTime();
        ModuleBuilder.Build b = builder.build(slotSources(0), tree, 0);
        if (b.result() != ModuleBuilder.Result.BUILT) {
            throw new BaselineFailed("the unmutated KVM sources do not compile:\n" + b.messages());
        }
        say("baseline: built in " + seconds(System.nanoTime() - t0) + "; running the suite on it");
        long runStart = System.nanoTime();
        SuiteRunner.Outcome o = runner.run("baseline", tree, options.campaignDir().resolve("runs").resolve("baseline"));
        SelftestRunner.Outcome self = selftest == null ? null : selftest.run("baseline", tree);
        double runSeconds = (System.nanoTime() - runStart) / 1e9;
        deleteTree("baseline");
        if (!o.ran()) {
            throw new BaselineFailed("the suite did not run on the unmutated kernel: " + o.failure());
        }
        if (!o.failed().isEmpty() || o.passed() == 0) {
            throw new BaselineFailed("the unmutated kernel must pass the suite, but " + (o.passed() == 0 ? "no case passed"
                    : o.failed().size() + " cases failed: " + String.join(", ", o.failed())) + " (see "
                    + options.campaignDir().resolve("runs").resolve("baseline") + ")");
        }
        if (self != null && self.killed()) {
            throw new BaselineFailed("the kernel selftest must pass on the unmutated kernel, but it "
                    + (self.ran() ? "failed " + String.join(", ", self.failed()) : "did not run: " + self.detail()) + "\n" + self.detail());
        }
        write(file, new MutantStatus("baseline", MutantStatus.Outcome.SURVIVED, List.of(), o.passed() + " cases passed", 0, runSeconds,
                MutantStatus.Selftest.of(self)));
        say("baseline: " + o.passed() + " cases passed" + (self == null ? "" : "; the kernel selftest passed " + self.passed() + " subtests"));
        calibrate(runSeconds);
        return o.failed();
    }

    /** Tells the runner how long the unmutated kernel took (0: not known, from an older campaign's baseline.json). */
    private void calibrate(double baselineRunSeconds) {
        if (baselineRunSeconds > 0) {
            runner.calibrate(Duration.ofMillis(Math.round(baselineRunSeconds * 1000))).ifPresent(this::say);
        }
    }

    private String which(Mutant m) {
        return "mutant " + positions.getOrDefault(m.id(), 0) + " of " + total + ": " + m.id() + ": ";
    }

    private MutantStatus buildOne(Mutant m) throws InterruptedException {
        int slot = freeSlots.take();
        try {
            Path src = slotSources(slot);
            long t0 = System.nanoTime();
            ModuleBuilder.Build b;
            try {
                applyMutant(m, src);
                b = builder.build(src, tree(m.fileName()), slot);
            } finally {
                restore(m, src);
            }
            double buildSeconds = (System.nanoTime() - t0) / 1e9;
            MutantStatus s;
            if (b.result() == ModuleBuilder.Result.BUILT) {
                s = new MutantStatus(m.id(), MutantStatus.Outcome.BUILT, List.of(), "", buildSeconds, 0);
                say(which(m) + "built in " + Math.round(buildSeconds) + " s");
            } else {
                s = new MutantStatus(m.id(), MutantStatus.Outcome.DOES_NOT_COMPILE, List.of(), truncate(b.messages()), buildSeconds, 0);
                deleteTree(m.fileName());
                say(which(m) + "does not compile");
            }
            write(stateFile(m), s);
            return s;
        } finally {
            freeSlots.add(slot);
        }
    }

    private MutantStatus runOne(Mutant m, List<String> baselineFailures, MutantStatus built) throws InterruptedException {
        long t0 = System.nanoTime();
        SuiteRunner.Outcome o = runner.run(m.fileName(), tree(m.fileName()), options.campaignDir().resolve("runs").resolve(m.fileName()));
        SelftestRunner.Outcome self = selftest == null ? null : selftest.run(m.fileName(), tree(m.fileName()));
        MutantStatus.Selftest selftestVerdict = MutantStatus.Selftest.of(self);
        String selftestSays = self == null ? "" : "; the kernel selftest " + (!self.killed() ? "passed"
                : self.ran() ? "failed " + String.join(", ", self.failed()) : "did not finish");
        double runSeconds = (System.nanoTime() - t0) / 1e9;
        MutantStatus s;
        if (!o.ran()) {
            s = new MutantStatus(m.id(), MutantStatus.Outcome.KILLED_BY_CRASH, List.of(), truncate(o.failure()), built.buildSeconds(), runSeconds,
                    selftestVerdict);
            say(which(m) + "killed by a crash/timeout: " + firstLine(o.failure()) + selftestSays);
        } else {
            List<String> killers = o.failed().stream().filter(c -> !baselineFailures.contains(c)).toList();
            s = new MutantStatus(m.id(), killers.isEmpty() ? MutantStatus.Outcome.SURVIVED : MutantStatus.Outcome.KILLED, killers, "",
                    built.buildSeconds(), runSeconds, selftestVerdict);
            say(which(m) + (killers.isEmpty() ? "survived" : "killed by " + String.join(", ", killers.subList(0, Math.min(3, killers.size())))
                    + (killers.size() > 3 ? " and " + (killers.size() - 3) + " more" : "")) + selftestSays + " (" + Math.round(runSeconds) + " s)");
        }
        write(stateFile(m), s);
        deleteTree(m.fileName());
        return s;
    }

    /** Each build slot gets its own copy of the pristine arch/x86/kvm and virt/kvm, mutated and restored in place. */
    private void prepareSlots() {
        for (int s = 0; s < BUILD_SLOTS; s++) {
            Path src = slotSources(s);
            try {
                FileTrees.delete(src);
                for (String dir : List.of("arch/x86/kvm", "virt/kvm")) {
                    FileTrees.copy(options.pristineSources().resolve(dir), src.resolve(dir));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot copy the KVM sources into " + src + ": " + e.getMessage(), e);
            }
        }
    }

    private void applyMutant(Mutant m, Path src) {
        try {
            if (m.historical()) {
                HistoricalMutants.apply(m, options.pristineSources(), src);
            } else {
                AtomicFiles.write(src.resolve(m.file()), MutantGenerator.mutatedText(m, options.pristineSources()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write mutant " + m.id() + " into " + src + ": " + e.getMessage(), e);
        }
    }

    private void restore(Mutant m, Path src) {
        for (String f : m.files()) {
            try {
                Files.copy(options.pristineSources().resolve(f), src.resolve(f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot restore " + f + " in " + src + ": " + e.getMessage(), e);
            }
        }
    }

    public Optional<MutantStatus> readState(Mutant m) {
        Path f = stateFile(m);
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        try {
            MutantStatus s = JSON.readValue(f.toFile(), MutantStatus.class);
            // a BUILT state whose module tree is gone (deleted, or a campaign stopped before it ran) is built again
            if (s.outcome() == MutantStatus.Outcome.BUILT && !Files.isDirectory(tree(m.fileName()))) {
                return Optional.empty();
            }
            return Optional.of(s);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private Path stateFile(Mutant m) {
        return options.campaignDir().resolve("state").resolve(m.fileName() + ".json");
    }

    private Path slotSources(int slot) {
        return options.campaignDir().resolve("work").resolve("slot-" + slot);
    }

    private Path tree(String name) {
        return options.campaignDir().resolve("trees").resolve(name).resolve("lib/modules").resolve(options.release());
    }

    private void deleteTree(String name) {
        FileTrees.deleteQuietly(options.campaignDir().resolve("trees").resolve(name));
    }

    private static void write(Path file, MutantStatus s) {
        try {
            AtomicFiles.write(file, JSON.writeValueAsBytes(s));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private void say(String line) {
        synchronized (progress) {
            progress.println("kernel-mutants: " + line);
        }
    }

    private static String seconds(long nanos) {
        return Duration.ofNanos(nanos).toSeconds() + " s";
    }

    private static String firstLine(String s) {
        return s.lines().findFirst().orElse("");
    }

    private static String truncate(String s) {
        return s.length() > 4000 ? s.substring(0, 4000) + "\n[...]" : s;
    }
}
