package io.msrconf.report;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The files Allure reads beside the test results: environment.properties (kernel, KVM module, KVM
 * API and capabilities, CPU, JVM), categories.json (the triage categories: reports/categories.json,
 * packaged in the jar) and, when run in CI, executor.json.
 */
public final class AllureOutputs {

    private AllureOutputs() {
    }

    public static void write(Path resultsDir, Map<String, String> environment) throws IOException {
        Files.createDirectories(resultsDir);
        String properties = environment.entrySet().stream()
                .map(e -> escape(e.getKey(), true) + "=" + escape(e.getValue(), false)).collect(Collectors.joining("\n", "", "\n"));
        Files.writeString(resultsDir.resolve("environment.properties"), properties, StandardCharsets.ISO_8859_1);
        try (InputStream categories = AllureOutputs.class.getResourceAsStream("/allure/categories.json")) {
            if (categories == null) {
                throw new IllegalStateException("allure/categories.json is missing from the harness jar (built from reports/categories.json)");
            }
            Files.copy(categories, resultsDir.resolve("categories.json"), StandardCopyOption.REPLACE_EXISTING);
        }
        if (System.getenv("CI") != null) {
            Files.writeString(resultsDir.resolve("executor.json"), executorJson(System.getenv()), StandardCharsets.UTF_8);
        }
    }

    /** Allure's executor.json, from what the CI environment tells (GitHub-style variables when present). */
    static String executorJson(Map<String, String> env) {
        String buildName = env.getOrDefault("GITHUB_RUN_ID", env.getOrDefault("BUILD_ID", "local CI run"));
        String url = env.containsKey("GITHUB_SERVER_URL") && env.containsKey("GITHUB_REPOSITORY") && env.containsKey("GITHUB_RUN_ID")
                ? env.get("GITHUB_SERVER_URL") + "/" + env.get("GITHUB_REPOSITORY") + "/actions/runs/" + env.get("GITHUB_RUN_ID") : "";
        return "{\n  \"name\": \"msrconf CI\",\n  \"type\": \"ci\",\n  \"buildName\": \"" + json(buildName)
                + "\",\n  \"buildUrl\": \"" + json(url) + "\",\n  \"reportName\": \"msrconf conformance\"\n}\n";
    }

    private static String json(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    /**
     * A key or value as java.util.Properties.load, which Allure reads the file with, reads it back: in a key a
     * space, '=' or ':' would end it (the matrix's keys are "A kernel", "B kernel", ...), '#' or '!' would start a
     * comment; a leading space of a value would be dropped; characters beyond ISO-8859-1 become backslash-u escapes.
     */
    static String escape(String s, boolean key) {
        StringBuilder sb = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '=', ':', '#', '!' -> sb.append('\\').append(c);
                case ' ' -> sb.append(key || i == 0 ? "\\ " : " ");
                default -> {
                    if (c > 0xff) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }
}
