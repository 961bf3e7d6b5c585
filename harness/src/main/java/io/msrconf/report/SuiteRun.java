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
     * @param backends         from {@link KvmBackend#NAME} and {@link EmulatorBackend#NAME}
     * @param summary          where the summary JSON goes, or null for none
     * @param allureResults    where the Allure results go, or null for none
     * @param kernelDimension  label the Allure results with the kernel (several kernels share one report)
     */
    public record Options(Path specs, Pattern only, List<String> backends, Path summary, Path allureResults,
                          boolean kernelDimension, boolean ignoreKernelRanges) {
        public Options {
            backends = List.copyOf(backends);
        }
    }

    private SuiteRun() {
    }

    public static RunResult run(Options options, RunListener progress) {
        SpecSet specs = SpecLoader.load(options.specs());
        KnownDeviations.Loaded deviations = KnownDeviations.load(KnownDeviations.in(options.specs()));
        List<BackendUnderTest> backends = new ArrayList<>();
        try {
            TargetInfo modelled = null;
            for (String name : options.backends()) {
                BackendUnderTest b = switch (name) {
                    case KvmBackend.NAME -> BackendUnderTest.hostKvm();
                    case EmulatorBackend.NAME -> BackendUnderTest.emulator(modelled != null ? modelled : TargetInfo.read());
                    default -> throw new IllegalArgumentException("unknown backend '" + name + "' (known: "
                            + KvmBackend.NAME + ", " + EmulatorBackend.NAME + ")");
                };
                if (name.equals(KvmBackend.NAME)) {
                    modelled = b.target();
                }
                backends.add(b);
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
