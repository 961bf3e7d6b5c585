package io.msrconf.suite;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * How a conformance run is configured, from system properties so that Maven (surefire) and the CLI
 * (which runs the same JUnit suite through the launcher) configure it the same way:
 * <ul>
 *   <li>{@code msrconf.specs}: the spec directory (default {@code specs}, or {@code ../specs} from a module)</li>
 *   <li>{@code msrconf.backends}: comma-separated, from {@code kvm,emulator} (default both)</li>
 *   <li>{@code msrconf.only}: a regex; only cases whose id it finds run (default all)</li>
 *   <li>{@code msrconf.summary}: where the JSON summary goes (default {@code target/msrconf-summary.json})</li>
 *   <li>{@code allure.results.directory}: Allure's own property, where the Allure results go</li>
 * </ul>
 */
public record SuiteConfig(Path specs, List<String> backends, String only, Path summary, Path allureResults) {

    public static final String SPECS = "msrconf.specs";
    public static final String BACKENDS = "msrconf.backends";
    public static final String ONLY = "msrconf.only";
    public static final String SUMMARY = "msrconf.summary";
    public static final String ALLURE_RESULTS = "allure.results.directory";

    public static SuiteConfig fromSystemProperties() {
        String defaultSpecs = java.nio.file.Files.isDirectory(Path.of("specs")) ? "specs" : "../specs";
        return new SuiteConfig(
                Path.of(System.getProperty(SPECS, defaultSpecs)),
                Arrays.stream(System.getProperty(BACKENDS, "kvm,emulator").split(",")).map(String::trim)
                        .filter(b -> !b.isEmpty()).toList(),
                System.getProperty(ONLY, ""),
                Path.of(System.getProperty(SUMMARY, "target/msrconf-summary.json")),
                Path.of(System.getProperty(ALLURE_RESULTS, "target/allure-results")));
    }
}
