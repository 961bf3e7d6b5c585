package io.msrconf.suite;

import io.msrconf.backend.Backend;
import io.msrconf.backend.EmulatorBackend;
import io.msrconf.backend.KvmBackend;
import io.msrconf.guest.Payload;
import io.msrconf.matrix.KernelMatrix;
import io.msrconf.report.AllureOutputs;
import io.msrconf.report.CitationLinks;
import io.msrconf.report.KnownDeviation;
import io.msrconf.report.KnownDeviations;
import io.msrconf.report.RunSummary;
import io.msrconf.report.SummaryJson;
import io.msrconf.spec.Case;
import io.msrconf.spec.SpecError;
import io.msrconf.spec.SpecLoader;
import io.msrconf.spec.SpecSet;
import io.msrconf.verdict.VerdictAssert;
import io.qameta.allure.Allure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The conformance suite as JUnit tests: one test per case and backend, grouped by backend and spec
 * area, plus one KVM-versus-model comparison per case when both backends run. Maven runs it through
 * {@code ConformanceTest}; the CLI runs it through the JUnit launcher ({@link SuiteLauncher}), so
 * both produce the same Allure results and JSON summary. Configured by {@link SuiteConfig}.
 *
 * <p>A case the backend cannot run, or whose kernel range excludes this kernel, is skipped with the
 * reason; a case failing as a known deviation says so and is skipped; a malformed spec is a failing
 * test of its own, so nothing is dropped silently.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
public class ConformanceSuite {

    private static SuiteConfig config;
    private static HostInfo host;
    private static SpecSet all;
    private static SpecSet specs;
    private static KnownDeviations.Loaded deviations;
    private static List<Backend> backends;
    private static List<RunSummary.CaseEntry> entries;
    private static Payload payload;
    private static volatile RunSummary lastSummary;

    @BeforeAll
    static void setUp() {
        config = SuiteConfig.fromSystemProperties();
        host = HostInfo.read();
        Pattern only = Pattern.compile(config.only());
        all = SpecLoader.load(config.specs());
        specs = new SpecSet(all.cases().stream().filter(c -> only.matcher(c.id()).find()).toList(), all.errors());
        deviations = KnownDeviations.load(KnownDeviations.in(config.specs()));
        payload = Payload.load(Payload.MSR_SCRIPT);
        backends = new ArrayList<>();
        for (String name : config.backends()) {
            backends.add(switch (name) {
                case KvmBackend.NAME -> KvmBackend.open();
                case EmulatorBackend.NAME -> EmulatorBackend.create();
                default -> throw new IllegalArgumentException("unknown backend '" + name + "' in " + SuiteConfig.BACKENDS
                        + " (known: " + KvmBackend.NAME + ", " + EmulatorBackend.NAME + ")");
            });
        }
        entries = new ArrayList<>();
    }

    @AfterAll
    static void tearDown() {
        backends.forEach(Backend::close);
        Map<String, String> environment = environment();
        RunSummary summary = new RunSummary(environment, entries);
        SummaryJson.write(summary, config.summary());
        try {
            AllureOutputs.write(config.allureResults(), environment);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        lastSummary = summary;
    }

    static void forgetLastSummary() {
        lastSummary = null;
    }

    /** The summary of the last run in this JVM (for the CLI, which runs the suite in-process). */
    public static Optional<RunSummary> lastSummary() {
        return Optional.ofNullable(lastSummary);
    }

    @TestFactory
    @Order(1)
    Stream<DynamicNode> conformance() {
        List<DynamicNode> nodes = new ArrayList<>();
        for (Backend backend : backends) {
            CaseRunner runner = new CaseRunner(backend, Boolean.getBoolean(KernelMatrix.IGNORE_KERNEL_RANGES) ? null : host.kernelVersion());
            Map<String, List<DynamicNode>> byArea = new LinkedHashMap<>();
            for (Case c : specs.cases()) {
                byArea.computeIfAbsent(c.area(), a -> new ArrayList<>()).add(DynamicTest.dynamicTest(
                        c.id() + " [" + backend.name() + "] — " + c.title(), c.source().file().toUri(),
                        () -> check(c, backend.name(), runner)));
            }
            List<DynamicNode> areas = new ArrayList<>();
            byArea.forEach((area, tests) -> areas.add(DynamicContainer.dynamicContainer(area, tests)));
            nodes.add(DynamicContainer.dynamicContainer(backend.name(), areas));
        }
        for (SpecError e : specs.errors()) {
            nodes.add(DynamicTest.dynamicTest("malformed spec " + e.source(), () -> inputError(inputErrorMessage("spec", e))));
        }
        for (SpecError e : deviations.errors()) {
            nodes.add(DynamicTest.dynamicTest("malformed known-deviations " + e.source(),
                    () -> inputError(inputErrorMessage("known-deviations file", e))));
        }
        // An entry for a case that does not exist would silently never apply: a typo, or a renamed case.
        java.util.Set<String> ids = new java.util.HashSet<>();
        all.cases().forEach(c -> ids.add(c.id()));
        for (KnownDeviation d : deviations.deviations()) {
            if (!ids.contains(d.caseId())) {
                SpecError e = new SpecError(d.source(), "case", "no spec case has the id '" + d.caseId() + "'");
                nodes.add(DynamicTest.dynamicTest("malformed known-deviations " + e.source(),
                        () -> inputError(inputErrorMessage("known-deviations file", e))));
            }
        }
        return nodes.stream();
    }

    /** KVM and the reference model must observe the same for every case both can run. */
    @TestFactory
    @Order(2)
    Stream<DynamicNode> differential() {
        Optional<Backend> kvm = backends.stream().filter(b -> b.name().equals(KvmBackend.NAME)).findFirst();
        Optional<Backend> model = backends.stream().filter(b -> b.name().equals(EmulatorBackend.NAME)).findFirst();
        if (kvm.isEmpty() || model.isEmpty()) {
            return Stream.empty();
        }
        return specs.cases().stream().map(c -> DynamicTest.dynamicTest(c.id() + " — KVM vs model", () -> {
            labels(c, "kvm-vs-model");
            kvm.get().cannotRun(c).ifPresent(reason -> Assumptions.abort("KVM: " + reason));
            model.get().cannotRun(c).ifPresent(reason -> Assumptions.abort("emulator: " + reason));
            Differential.compare(c, kvm.get().run(c), model.get().run(c)).ifPresent(difference -> {
                Allure.addAttachment("KVM vs model", "text/plain", difference, ".txt");
                Assertions.fail(difference);
            });
        }));
    }

    private static void check(Case c, String backend, CaseRunner runner) {
        labels(c, backend);
        CaseResult r = runner.run(c);
        Attachments.attach(c, r, payload);
        Optional<KnownDeviation> known = KnownDeviations.match(deviations.deviations(), c.id(), backend, host);
        switch (r.status()) {
            case SKIPPED -> {
                record(r, RunSummary.Status.SKIPPED, r.skipReason());
                Assumptions.abort(r.skipReason());
            }
            case PASSED -> {
                if (known.isPresent()) {
                    String message = deviationNotReproducedMessage(c, known.get(), host);
                    record(r, RunSummary.Status.DEVIATION_NOT_REPRODUCED, message);
                    Assertions.fail(message);
                }
                record(r, RunSummary.Status.PASSED, "");
            }
            case FAILED -> {
                String failure = VerdictAssert.failureMessage(r.verdict());
                if (known.isPresent()) {
                    String message = knownDeviationMessage(known.get(), failure);
                    record(r, RunSummary.Status.KNOWN_DEVIATION, message);
                    Assumptions.abort(message);
                }
                record(r, RunSummary.Status.FAILED, failure);
                VerdictAssert.assertThat(r.verdict()).conforms();
            }
        }
    }

    /** The skip message of a case failing as a known deviation (reports/categories.json matches its start). */
    public static String knownDeviationMessage(KnownDeviation known, String failure) {
        return "known kernel deviation: " + known.describe() + "\n" + failure;
    }

    /** The failure message of a known deviation whose case passed. */
    public static String deviationNotReproducedMessage(Case c, KnownDeviation known, HostInfo host) {
        return "known deviation no longer reproduces: " + c.id() + " passed on " + host.describe()
                + "; review or narrow the entry: " + known.describe();
    }

    /** The failure message of a malformed spec or known-deviations file. */
    public static String inputErrorMessage(String what, SpecError e) {
        return "malformed " + what + ": " + e;
    }

    /** A malformed input file is a failure of its own, in the summary too. */
    private static void inputError(String message) {
        synchronized (ConformanceSuite.class) {
            entries.add(new RunSummary.CaseEntry("input-error:" + (entries.size() + 1), "-", RunSummary.Status.FAILED,
                    "malformed input", "", message, List.of(), List.of()));
        }
        Assertions.fail(message);
    }

    private static synchronized void record(CaseResult r, RunSummary.Status status, String message) {
        List<String> kinds = r.verdict() == null ? List.of()
                : r.verdict().mismatches().stream().map(m -> m.kind().name()).distinct().toList();
        List<String> observation = r.observation() == null ? List.of() : Differential.normalForm(r.spec(), r.observation());
        entries.add(new RunSummary.CaseEntry(r.spec().id(), r.backend(), status, r.spec().title(), r.spec().citation().strip(),
                message, kinds, observation));
    }

    /** Allure labels: epic/feature/story from the spec, the case id as the stable test id, the backend as a parameter. */
    private static void labels(Case c, String backend) {
        // Replace the suite labels Allure derives from the JUnit class, so the tree is backend > area.
        Allure.getLifecycle().updateTestCase(t -> t.getLabels().removeIf(l -> l.getName().endsWith("uite")));
        Allure.epic("KVM MSR filter semantics");
        // In a kernel matrix several kernels' results share one report: the kernel is then part of the
        // tree and of the history id, so the same case on two kernels is two tests, not a retry.
        boolean kernelDimension = Boolean.getBoolean(KernelMatrix.KERNEL_DIMENSION);
        String kernel = host.kernelRelease() + " " + host.kvmModule();
        Allure.label("parentSuite", kernelDimension ? backend + " on " + kernel : backend);
        Allure.suite(c.area());
        Allure.feature(c.area());
        Allure.story(c.title());
        Allure.parameter("backend", backend);
        Allure.parameter("kernel", host.kernelRelease());
        Allure.parameter("kvm module", host.kvmModule());
        Allure.parameter("cpu", host.cpuModel());
        Allure.label("caseId", c.id());
        Allure.getLifecycle().updateTestCase(t -> {
            t.setTestCaseId(c.id());
            t.setHistoryId(c.id() + "@" + backend + (kernelDimension ? "@" + kernel : ""));
        });
        Allure.description("Checks: " + c.citation().strip() + "\n\nSpec: " + c.source() + "\n\nHost: " + host.describe());
        CitationLinks.of(c.citation()).forEach(l -> Allure.link(l.name(), l.url()));
    }

    private static Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("kernel.release", host.kernelRelease());
        env.put("kernel.version", host.kernelVersion().toString());   // what kernel ranges are checked against
        env.put("kernel.build", host.kernelBuild());
        env.put("kvm.module", host.kvmModule());
        env.put("cpu.model", host.cpuModel());
        env.putAll(KvmFacts.read());
        env.put("backends", String.join(",", config.backends()));
        env.put("java.version", System.getProperty("java.version"));
        env.put("java.vm", System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"));
        env.put("specs", config.specs().toString());
        return env;
    }
}
