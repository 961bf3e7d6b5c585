package io.msrconf.pipeline;

import io.msrconf.backend.EmulatorBackend;
import io.msrconf.backend.KvmBackend;
import io.msrconf.backend.Observation;
import io.msrconf.backend.TargetLost;
import io.msrconf.spec.Case;
import io.msrconf.spec.SpecError;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The conformance pipeline as a library, its one entry point: a {@link RunRequest} in (specs, backends,
 * configuration, all values), every {@link TestResult} and the {@link RunSummary} out, each result also
 * handed to a {@link RunListener} as it is done. JUnit ({@code ConformanceTest}) and the CLI are thin
 * adapters over it; the summary JSON and the Allure results are listeners.
 *
 * <p>For every backend, every selected case, in spec order: skipped with the reason where its kernel range
 * excludes the backend's target or the backend cannot run it, else judged, and a failure the known
 * deviations describe for that target is reported as such. When a KVM and the emulator both run, each case
 * is then compared between the two ({@link Differential}). Malformed inputs come last, as failures.
 */
public final class Conformance {

    private Conformance() {
    }

    public static RunResult run(RunRequest request, RunListener listener) {
        List<TestResult> results = new ArrayList<>();
        Map<String, String> environment = environment(request);
        listener.runStarted(environment);
        List<Case> selected = request.selected();
        Map<String, Observation> observed = new HashMap<>();
        for (BackendUnderTest b : request.backends()) {
            CaseRunner runner = new CaseRunner(b.backend(), request.ignoreKernelRanges() ? null : b.target().kernelVersion(),
                    b.target().kvmModules(), b.moduleParameter(), b.target().cpuVendor());
            for (Case c : selected) {
                CaseResult r = runner.run(c);
                if (r.observation() != null) {
                    observed.put(c.id() + "@" + b.name(), r.observation());
                }
                emit(judged(r, b, request.deviations()), results, listener);
            }
        }
        Optional<BackendUnderTest> kvm = request.backends().stream().filter(b -> b.name().equals(KvmBackend.NAME)).findFirst();
        Optional<BackendUnderTest> model = request.backends().stream().filter(b -> b.name().equals(EmulatorBackend.NAME)).findFirst();
        if (kvm.isPresent() && model.isPresent()) {
            for (Case c : selected) {
                emit(differential(c, kvm.get(), model.get(), observed), results, listener);
            }
        }
        for (TestResult e : inputErrors(request)) {
            emit(e, results, listener);
        }
        RunSummary summary = new RunSummary(environment, results.stream().map(TestResult::entry).toList());
        listener.runFinished(summary);
        return new RunResult(results, summary);
    }

    private static void emit(TestResult r, List<TestResult> results, RunListener listener) {
        results.add(r);
        listener.testFinished(r);
    }

    /** A judged case, with the known deviations of its target applied. */
    static TestResult judged(CaseResult r, BackendUnderTest b, KnownDeviations.Loaded deviations) {
        Case c = r.spec();
        Optional<KnownDeviation> known = KnownDeviations.match(deviations.deviations(), c.id(), b.name(), b.target());
        RunSummary.Status status;
        String message;
        switch (r.status()) {
            case SKIPPED -> {
                status = RunSummary.Status.SKIPPED;
                message = r.skipReason();
            }
            case BROKEN -> {
                status = RunSummary.Status.FAILED;
                message = c.id() + " [" + b.name() + "] " + c.title() + "\n" + r.skipReason() + "\ntriage: run-failed";
            }
            case PASSED -> {
                status = known.isPresent() ? RunSummary.Status.DEVIATION_NOT_REPRODUCED : RunSummary.Status.PASSED;
                message = known.map(k -> deviationNotReproducedMessage(c, k, b.target())).orElse(r.verdict().passMessage());
            }
            default -> {
                String failure = r.verdict().failureMessage();
                status = known.isPresent() ? RunSummary.Status.KNOWN_DEVIATION : RunSummary.Status.FAILED;
                message = known.map(k -> knownDeviationMessage(k, failure)).orElse(failure);
            }
        }
        return new TestResult(TestResult.Kind.CASE, c.id(), b.name(), status, message, c, r.verdict(), r.observation(), b.target());
    }

    /**
     * KVM and the reference model must observe the same for every case both can run, whatever the case
     * expects; the observations of the conformance pass are reused, and a case that pass skipped for its
     * kernel range is run here.
     */
    private static TestResult differential(Case c, BackendUnderTest kvm, BackendUnderTest model, Map<String, Observation> observed) {
        Optional<String> cannot = kvm.backend().cannotRun(c).map(reason -> "KVM: " + reason)
                .or(() -> model.backend().cannotRun(c).map(reason -> "emulator: " + reason));
        if (cannot.isPresent()) {
            return new TestResult(TestResult.Kind.DIFFERENTIAL, c.id(), TestResult.DIFFERENTIAL, RunSummary.Status.SKIPPED,
                    cannot.get(), c, null, null, kvm.target());
        }
        Observation k;
        try {
            k = observed.computeIfAbsent(c.id() + "@" + kvm.name(), key -> kvm.backend().run(c));
        } catch (TargetLost e) {
            return new TestResult(TestResult.Kind.DIFFERENTIAL, c.id(), TestResult.DIFFERENTIAL, RunSummary.Status.FAILED,
                    c.id() + " [" + TestResult.DIFFERENTIAL + "] " + c.title() + "\n" + e.getMessage() + "\ntriage: run-failed",
                    c, null, null, kvm.target());
        }
        Observation m = observed.computeIfAbsent(c.id() + "@" + model.name(), key -> model.backend().run(c));
        Optional<String> difference = Differential.compare(c, k, m);
        return new TestResult(TestResult.Kind.DIFFERENTIAL, c.id(), TestResult.DIFFERENTIAL,
                difference.isPresent() ? RunSummary.Status.FAILED : RunSummary.Status.PASSED, difference.orElse(""), c, null, null,
                kvm.target());
    }

    /** Malformed specs, malformed known-deviations entries, and entries for a case that does not exist. */
    private static List<TestResult> inputErrors(RunRequest request) {
        List<String> messages = new ArrayList<>();
        request.specs().errors().forEach(e -> messages.add(inputErrorMessage("spec", e)));
        request.deviations().errors().forEach(e -> messages.add(inputErrorMessage("known-deviations file", e)));
        // An entry for a case that does not exist would silently never apply: a typo, or a renamed case.
        Set<String> ids = new HashSet<>();
        request.specs().cases().forEach(c -> ids.add(c.id()));
        for (KnownDeviation d : request.deviations().deviations()) {
            if (!ids.contains(d.caseId())) {
                messages.add(inputErrorMessage("known-deviations file",
                        new SpecError(d.source(), "case", "no spec case has the id '" + d.caseId() + "'")));
            }
        }
        List<TestResult> out = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            out.add(new TestResult(TestResult.Kind.INPUT_ERROR, "input-error:" + (i + 1), "-", RunSummary.Status.FAILED,
                    messages.get(i), null, null, null, null));
        }
        return out;
    }

    /** The skip message of a case failing as a known deviation (reports/categories.json matches its start). */
    public static String knownDeviationMessage(KnownDeviation known, String failure) {
        return "known kernel deviation: " + known.describe() + "\n" + failure;
    }

    /** The failure message of a known deviation whose case passed. */
    public static String deviationNotReproducedMessage(Case c, KnownDeviation known, TargetInfo target) {
        return "known deviation no longer reproduces: " + c.id() + " passed on " + target.describe()
                + "; review or narrow the entry: " + known.describe();
    }

    /** The failure message of a malformed spec or known-deviations file. */
    public static String inputErrorMessage(String what, SpecError e) {
        return "malformed " + what + ": " + e;
    }

    /** The environment of the run: the first KVM target's kernel, module and CPU, its KVM facts, the JVM. */
    private static Map<String, String> environment(RunRequest request) {
        Map<String, String> env = new LinkedHashMap<>();
        BackendUnderTest primary = request.backends().stream().filter(b -> b.name().equals(KvmBackend.NAME)).findFirst()
                .orElse(request.backends().isEmpty() ? null : request.backends().get(0));
        TargetInfo target = primary == null ? TargetInfo.read() : primary.target();
        env.put("target", target.name());
        env.put("kernel.release", target.kernelRelease());
        env.put("kernel.version", target.kernelVersion().toString());   // what kernel ranges are checked against
        env.put("kernel.build", target.kernelBuild());
        env.put("kvm.module", target.kvmModule());
        env.put("cpu.model", target.cpuModel());
        if (primary != null) {
            env.putAll(primary.facts());
        }
        env.put("backends", String.join(",", request.backends().stream().map(BackendUnderTest::name).toList()));
        env.put("java.version", System.getProperty("java.version"));
        env.put("java.vm", System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"));
        env.put("specs", request.specsDescription());
        return env;
    }
}
