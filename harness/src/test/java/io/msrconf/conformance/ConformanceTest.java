package io.msrconf.conformance;

import io.msrconf.backend.Backend;
import io.msrconf.backend.EmulatorBackend;
import io.msrconf.backend.KvmBackend;
import io.msrconf.spec.Case;
import io.msrconf.spec.SpecError;
import io.msrconf.spec.SpecLoader;
import io.msrconf.spec.SpecSet;
import io.msrconf.suite.CaseResult;
import io.msrconf.suite.CaseRunner;
import io.msrconf.suite.HostInfo;
import io.msrconf.verdict.VerdictAssert;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The conformance suite: one JUnit test per spec case and backend (real KVM, and the bundled
 * emulator with its reference model of KVM), grouped by spec area. A case the
 * backend cannot run here, or whose kernel range excludes this kernel, is skipped with the reason; a
 * malformed spec is a failing test of its own, so nothing is dropped silently.
 */
class ConformanceTest {

    private static final HostInfo HOST = HostInfo.read();
    private static final KvmBackend KVM = KvmBackend.open();
    private static final EmulatorBackend EMULATOR = EmulatorBackend.create();

    @AfterAll
    static void closeBackends() {
        KVM.close();
        EMULATOR.close();
    }

    static Path specsDir() {
        return Path.of(System.getProperty("msrconf.specs", "../specs"));
    }

    @TestFactory
    Stream<DynamicNode> kvm() {
        return suite(KVM);
    }

    @TestFactory
    Stream<DynamicNode> emulator() {
        return suite(EMULATOR);
    }

    private Stream<DynamicNode> suite(Backend backend) {
        SpecSet specs = SpecLoader.load(specsDir());
        CaseRunner runner = new CaseRunner(backend, HOST.kernelVersion());
        Map<String, List<DynamicNode>> byArea = new LinkedHashMap<>();
        for (Case c : specs.cases()) {
            byArea.computeIfAbsent(c.area(), a -> new ArrayList<>())
                    .add(DynamicTest.dynamicTest(c.id() + " — " + c.title(), c.source().file().toUri(), () -> check(runner.run(c))));
        }
        List<DynamicNode> nodes = new ArrayList<>();
        byArea.forEach((area, tests) -> nodes.add(DynamicContainer.dynamicContainer(area, tests)));
        for (SpecError e : specs.errors()) {
            nodes.add(DynamicTest.dynamicTest("spec error " + e.source(), () -> Assertions.fail("malformed spec: " + e)));
        }
        return nodes.stream();
    }

    private static void check(CaseResult r) {
        if (r.status() == CaseResult.Status.SKIPPED) {
            Assumptions.abort(r.skipReason());
        }
        VerdictAssert.assertThat(r.verdict()).conforms();
    }
}
