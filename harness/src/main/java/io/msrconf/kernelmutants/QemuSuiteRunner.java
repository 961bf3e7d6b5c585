package io.msrconf.kernelmutants;

import io.msrconf.matrix.KernelMatrix;
import io.msrconf.pipeline.RunSummary;
import io.msrconf.target.KvmTarget;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The suite on one mutant: the stock kernel image booted under QEMU with the mutant's module tree, every case
 * run through the kernel matrix's runner (KVM, the model, KVM against the model). Each run has its own output
 * directory, because the matrix names a kernel by its image, which every mutant shares.
 */
public final class QemuSuiteRunner implements SuiteRunner {

    private final Path image;
    private final Path specs;
    /** Which cases run (a regex of ids; empty: all). */
    private final String only;
    private final Path kernelCache;
    private final Duration timeout;

    public QemuSuiteRunner(Path image, Path specs, String only, Path kernelCache, Duration timeout) {
        this.image = image;
        this.specs = specs;
        this.only = only;
        this.kernelCache = kernelCache;
        this.timeout = timeout;
    }

    @Override
    public Outcome run(String name, Path modules, Path runDir) {
        KvmTarget target = KvmTarget.parse(image + ",modules=" + modules);
        KernelMatrix.KernelResult r = KernelMatrix.runOne(target, new KernelMatrix.Options(specs, only, runDir, kernelCache, timeout, 1), null);
        if (r.summary().isEmpty()) {
            return new Outcome(false, List.of(), 0, r.failure());
        }
        RunSummary s = r.summary().get();
        List<String> failed = s.cases().stream().filter(c -> c.status().isFailure()).map(RunSummary.CaseEntry::key).toList();
        int passed = (int) s.cases().stream().filter(c -> c.status() == RunSummary.Status.PASSED).count();
        return new Outcome(true, failed, passed, "");
    }
}
