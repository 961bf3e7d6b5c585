package io.msrconf.suite;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.msrconf.report.RunSummary;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.EngineFilter;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs {@link ConformanceSuite} in this JVM through the JUnit Platform launcher, so the CLI gets
 * exactly what {@code mvn verify} gets: the same tests, the Allure results (Allure's JUnit listener is
 * registered by the platform's service loading) and the JSON summary.
 */
public final class SuiteLauncher {

    private SuiteLauncher() {
    }

    public static RunSummary run(SuiteConfig config) {
        return run(config, null);
    }

    /** @param progress where to print one line per finished test, or null for none */
    public static RunSummary run(SuiteConfig config, PrintStream progress) {
        Map<String, String> properties = Map.of(
                SuiteConfig.SPECS, config.specs().toString(),
                SuiteConfig.BACKENDS, String.join(",", config.backends()),
                SuiteConfig.ONLY, config.only(),
                SuiteConfig.SUMMARY, config.summary().toString(),
                SuiteConfig.ALLURE_RESULTS, config.allureResults().toString());
        ConformanceSuite.forgetLastSummary();
        SetupFailures setupFailures = new SetupFailures();
        Map<String, String> saved = new HashMap<>();
        properties.forEach((k, v) -> saved.put(k, System.setProperty(k, v)));
        try {
            // Only Jupiter: other engines on the classpath (jqwik, for the fuzz command) have nothing to run here.
            LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                    .selectors(selectClass(ConformanceSuite.class))
                    .filters(EngineFilter.includeEngines("junit-jupiter")).build();
            Launcher launcher = LauncherFactory.create();
            if (progress == null) {
                launcher.execute(request, setupFailures);
            } else {
                launcher.execute(request, setupFailures, new ProgressPrinter(progress));
            }
        } finally {
            saved.forEach((k, v) -> {
                if (v == null) {
                    System.clearProperty(k);
                } else {
                    System.setProperty(k, v);
                }
            });
        }
        return ConformanceSuite.lastSummary().orElseThrow(() -> new IllegalStateException(
                "the conformance suite did not complete: " + setupFailures.describe(), setupFailures.first));
    }

    /** Remembers why a container (the suite class itself) failed, e.g. an exception in its setup. */
    private static final class SetupFailures implements TestExecutionListener {

        private Throwable first;

        @Override
        public void executionFinished(TestIdentifier test, TestExecutionResult result) {
            if (test.isContainer() && result.getStatus() == TestExecutionResult.Status.FAILED && first == null) {
                first = result.getThrowable().orElse(null);
            }
        }

        String describe() {
            return first == null ? "no test ran" : first.toString();
        }
    }

    /** One line per test: its status and name, with the reason of a skip or the first line of a failure. */
    private static final class ProgressPrinter implements TestExecutionListener {

        private final PrintStream out;

        ProgressPrinter(PrintStream out) {
            this.out = out;
        }

        @Override
        public void executionSkipped(TestIdentifier test, String reason) {
            out.println("SKIPPED " + test.getDisplayName() + ": " + reason);
        }

        @Override
        public void executionFinished(TestIdentifier test, TestExecutionResult result) {
            if (!test.isTest() && result.getStatus() == TestExecutionResult.Status.SUCCESSFUL) {
                return;
            }
            String why = result.getThrowable().map(t -> String.valueOf(t.getMessage())).orElse("");
            String label = switch (result.getStatus()) {
                case SUCCESSFUL -> "passed ";
                case ABORTED -> "skipped";
                case FAILED -> "FAILED ";
            };
            out.println(label + " " + test.getDisplayName() + (why.isEmpty() ? "" : "\n        " + why.replace("\n", "\n        ")));
        }
    }
}
