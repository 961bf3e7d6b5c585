package io.msrconf.conformance;

import io.msrconf.pipeline.RunResult;
import io.msrconf.pipeline.TestResult;
import io.msrconf.report.SuiteRun;
import io.msrconf.spec.TestSpecs;
import io.msrconf.target.OpenedTarget;
import io.msrconf.target.TestTargets;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The conformance suite under Maven, a thin adapter over the pipeline: on each KVM target the tests have
 * (a Debian kernel booted under QEMU, always; this machine's /dev/kvm when it has one) it runs every case
 * on that KVM and on the emulator as the model of that kernel, and KVM against the model, with the summary
 * JSON and the Allure results under target/, then shows each result as a JUnit test (target > backend >
 * spec area > case): a pass passes, a failure fails with the case's explanation, a skip is aborted with
 * its reason.
 */
class ConformanceTest {

    @TestFactory
    Stream<DynamicNode> conformance() {
        List<DynamicNode> targets = new ArrayList<>();
        for (OpenedTarget target : TestTargets.all()) {
            String label = target.target().label();
            RunResult run = SuiteRun.run(new SuiteRun.Options(TestSpecs.DIR, Pattern.compile(""), new SuiteRun.KvmChoice.Opened(target),
                    true, TestSpecs.target("msrconf-summary-" + label + ".json"), TestSpecs.target("allure-results"), true, false), null);
            targets.add(DynamicContainer.dynamicContainer(target.name(), nodes(run)));
        }
        return targets.stream();
    }

    private static List<DynamicNode> nodes(RunResult run) {
        Map<String, Map<String, List<DynamicNode>>> byBackendAndArea = new LinkedHashMap<>();
        List<DynamicNode> others = new ArrayList<>();
        for (TestResult r : run.results()) {
            if (r.kind() == TestResult.Kind.INPUT_ERROR) {
                others.add(DynamicTest.dynamicTest(r.message().lines().findFirst().orElse(r.id()), () -> replay(r)));
                continue;
            }
            URI source = r.spec().source().file().toUri();
            String name = r.kind() == TestResult.Kind.DIFFERENTIAL ? r.id() + " — KVM vs model"
                    : r.id() + " [" + r.backend() + "] — " + r.spec().title();
            byBackendAndArea.computeIfAbsent(r.backend(), b -> new LinkedHashMap<>())
                    .computeIfAbsent(r.spec().area(), a -> new ArrayList<>())
                    .add(DynamicTest.dynamicTest(name, source, () -> replay(r)));
        }
        List<DynamicNode> nodes = new ArrayList<>();
        byBackendAndArea.forEach((backend, areas) -> {
            List<DynamicNode> areaNodes = new ArrayList<>();
            areas.forEach((area, tests) -> areaNodes.add(DynamicContainer.dynamicContainer(area, tests)));
            nodes.add(DynamicContainer.dynamicContainer(backend, areaNodes));
        });
        nodes.addAll(others);
        return nodes;
    }

    private static void replay(TestResult r) {
        switch (r.status()) {
            case PASSED -> {
            }
            case SKIPPED, KNOWN_DEVIATION -> Assumptions.abort(r.message());
            case FAILED, DEVIATION_NOT_REPRODUCED -> Assertions.fail(r.message());
        }
    }
}
