package io.msrconf.report;

import io.msrconf.backend.EmulatorBackend;
import io.msrconf.backend.KvmBackend;
import io.msrconf.pipeline.BackendUnderTest;
import io.msrconf.pipeline.Conformance;
import io.msrconf.pipeline.KnownDeviations;
import io.msrconf.pipeline.RunListener;
import io.msrconf.pipeline.RunRequest;
import io.msrconf.pipeline.RunResult;
import io.msrconf.pipeline.TargetInfo;
import io.msrconf.spec.SpecLoader;
import io.msrconf.spec.SpecSet;
import io.msrconf.target.OpenedTarget;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The suite as the front ends run it: the specs of a directory, this machine's KVM and/or the
 * emulator, and the standard outputs of a run (the summary JSON and the Allure results) written as
 * listeners, besides the caller's own.
 */
public final class SuiteRun {

    /**
     * @param kvm              the KVM to test: opened, unavailable (every KVM case skipped with the reason), or none
     * @param emulator         whether the emulator runs too (as the model of the KVM target's kernel)
     * @param summary          where the summary JSON goes, or null for none
     * @param allureResults    where the Allure results go, or null for none
     * @param kernelDimension  label the Allure results with the kernel (several kernels share one report)
     */
    public record Options(Path specs, Pattern only, KvmChoice kvm, boolean emulator, Path summary, Path allureResults,
                          boolean kernelDimension, boolean ignoreKernelRanges) {
    }

    /** Which KVM a run tests. */
    public sealed interface KvmChoice {
        /** An opened target, which the caller closes. */
        record Opened(OpenedTarget target) implements KvmChoice {
        }

        /** None can be used here: the KVM cases are skipped, each with this reason. */
        record Unavailable(String reason) implements KvmChoice {
        }

        /** No KVM cases at all (the emulator alone, asked for). */
        record None() implements KvmChoice {
        }
    }

    /** The backends' names, for messages. */
    public static List<String> backendNames(Options o) {
        List<String> names = new ArrayList<>();
        if (!(o.kvm() instanceof KvmChoice.None)) {
            names.add(KvmBackend.NAME);
        }
        if (o.emulator()) {
            names.add(EmulatorBackend.NAME);
        }
        return names;
    }

    private SuiteRun() {
    }

    public static RunResult run(Options options, RunListener progress) {
        SpecSet specs = SpecLoader.load(options.specs());
        KnownDeviations.Loaded deviations = KnownDeviations.load(KnownDeviations.in(options.specs()));
        List<BackendUnderTest> backends = new ArrayList<>();
        try {
            // the emulator models the KVM under test, or this machine's when none is
            TargetInfo modelled;
            java.util.function.Function<String, java.util.Optional<String>> parameters;
            if (options.kvm() instanceof KvmChoice.Opened opened) {
                BackendUnderTest kvm = BackendUnderTest.kvm(opened.target(), KvmBackend.Options.defaults());
                modelled = kvm.target();
                parameters = kvm.moduleParameter();
                backends.add(kvm);
            } else {
                modelled = TargetInfo.read();
                parameters = TargetInfo.moduleParametersOfThisMachine();
                if (options.kvm() instanceof KvmChoice.Unavailable u) {
                    backends.add(BackendUnderTest.kvmUnavailable(modelled, u.reason()));
                }
            }
            if (options.emulator()) {
                backends.add(BackendUnderTest.emulator(modelled, modelled.modelProfile(parameters), parameters));
            }
            List<RunListener> listeners = new ArrayList<>();
            if (progress != null) {
                listeners.add(progress);
            }
            if (options.summary() != null) {
                listeners.add(SummaryJson.writerTo(options.summary()));
            }
            if (options.allureResults() != null) {
                listeners.add(new AllureResults(options.allureResults(), options.kernelDimension()));
            }
            return Conformance.run(new RunRequest(specs, options.only(), deviations, backends, options.ignoreKernelRanges(),
                    options.specs().toString()), RunListener.all(listeners));
        } finally {
            for (BackendUnderTest b : backends) {
                b.close();
            }
        }
    }
}
