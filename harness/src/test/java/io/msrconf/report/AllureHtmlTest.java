package io.msrconf.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

class AllureHtmlTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CATEGORY = "Filter not enforced (a denied access got through)";

    @TempDir
    Path tmp;

    @Test
    void versionIsTheOneThePomPins() throws Exception {
        Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(parentPom().toFile());
        String pinned = XPathFactory.newInstance().newXPath()
                .evaluate("/project/properties/allure-commandline.version", pom);
        assertThat(AllureHtml.VERSION).as("AllureHtml.VERSION vs the parent pom's allure-commandline.version")
                .isEqualTo(pinned);
    }

    @Test
    void generatesBothReportsCategorisesAndKeepsTheTrend() throws IOException {
        requireCommandline();
        Path results = fakeResults(tmp.resolve("allure-results"));
        Path html = tmp.resolve("html");
        Path single = tmp.resolve("single");

        AllureHtml.generate(results, html, single, html.resolve("history"));
        assertThat(JSON.readTree(html.resolve("history/history-trend.json").toFile())).hasSize(1);
        AllureHtml.Generated second = AllureHtml.generate(results, html, single, html.resolve("history"));

        assertThat(second.index()).isEqualTo(html.resolve("index.html").toAbsolutePath()).isRegularFile();
        assertThat(second.singleFileIndex()).isRegularFile();

        // the trend: the first report's history was carried into the second
        JsonNode trend = JSON.readTree(html.resolve("history/history-trend.json").toFile());
        assertThat(trend).hasSize(2);
        assertThat(trend.get(0).path("data").path("failed").asInt()).isEqualTo(1);

        // categories.json was applied: the failing result, and only it, is in the category
        JsonNode categories = JSON.readTree(html.resolve("widgets/categories.json").toFile());
        assertThat(categories.path("items")).hasSize(1);
        assertThat(categories.path("items").get(0).path("name").asText()).isEqualTo(CATEGORY);
        assertThat(categories.path("items").get(0).path("statistic").path("total").asInt()).isEqualTo(1);
        assertThat(Files.readString(html.resolve("widgets/environment.json"))).contains("6.18.44");

        // the single file needs nothing beside it: every script, style and data file is inlined
        try (Stream<Path> files = Files.list(single)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("index.html");
        }
        String page = Files.readString(second.singleFileIndex());
        // Allure's app (1.1 MB as base64) and its stylesheet with one font format (Allure's own single file: 3.4 MB)
        assertThat(page.length()).isBetween(1_000_000, 2_000_000);
        Matcher references = Pattern.compile("\\b(?:src|href)=\"([^\"]{0,40})").matcher(page);
        int count = 0;
        while (references.find()) {
            assertThat(references.group(1)).as("a reference in the single-file report").startsWith("data:");
            count++;
        }
        // the icon, Allure's stylesheet and app, and its plugins' (the Behaviors tab's among them)
        assertThat(html.resolve("plugin/behaviors/index.js")).isRegularFile();
        assertThat(count).as("inlined scripts and styles").isGreaterThan(4);
        assertThat(page).doesNotContain("googletagmanager");
        // every file of the multi-file report's data travels in the single file, byte for byte
        Map<String, byte[]> data = SingleFileReportTest.unpack(page);
        assertThat(data).containsKeys("data/categories.json", "widgets/categories.json", "history/history-trend.json");
        assertThat(data.keySet()).anyMatch(name -> name.startsWith("data/test-cases/"));
        for (Map.Entry<String, byte[]> e : data.entrySet()) {
            assertThat(e.getValue()).as(e.getKey()).isEqualTo(Files.readAllBytes(html.resolve(e.getKey())));
        }
    }

    @Test
    void aMissingResultsDirectoryIsAClearError() {
        assertThatThrownBy(() -> AllureHtml.generate(tmp.resolve("nothing"), tmp.resolve("html"), tmp.resolve("single"), tmp.resolve("html/history")))
                .isInstanceOf(AllureHtml.Failure.class)
                .hasMessageContaining("no Allure results directory at " + tmp.resolve("nothing"));
    }

    @Test
    void neverCleansAwayTheResults() throws IOException {
        Path results = fakeResults(tmp.resolve("out/allure-results"));
        assertThatThrownBy(() -> AllureHtml.generate(results, tmp.resolve("out"), tmp.resolve("single"), tmp.resolve("out/history")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("would delete the results");
        assertThat(results.resolve("categories.json")).isRegularFile();
    }

    private static void requireCommandline() throws IOException {
        try {
            AllureHtml.locateCommandline();
        } catch (AllureHtml.Failure notFound) {
            Assumptions.abort("allure-commandline is not available (not in ~/.m2, not unpacked by `mvn package`): "
                    + notFound.getMessage());
        }
    }

    /** Two results in Allure 2's format, a category matching the failed one, an environment. */
    private static Path fakeResults(Path dir) throws IOException {
        Files.createDirectories(dir);
        writeJson(dir.resolve("11111111-0000-0000-0000-000000000001-result.json"), result(
                "1", "ranges.read-only-range-denies-reads-only [kvm]", "passed", "", 1_700_000_000_000L));
        writeJson(dir.resolve("11111111-0000-0000-0000-000000000002-result.json"), result(
                "2", "ranges.default-deny-denies [kvm]", "failed",
                "Expected #GP on RDMSR(0x174), got: it completed with value 0x0\ntriage: filter-not-enforced",
                1_700_000_001_000L));
        writeJson(dir.resolve("categories.json"), List.of(Map.of(
                "name", CATEGORY,
                "matchedStatuses", List.of("failed"),
                "messageRegex", "(?s).*\\ntriage: filter-not-enforced\\b.*")));
        Files.writeString(dir.resolve("environment.properties"), "kernel=6.18.44\nkvm.module=kvm_pvm\n");
        return dir;
    }

    private static Map<String, Object> result(String uuid, String name, String status, String message, long start) {
        return Map.of(
                "uuid", "11111111-0000-0000-0000-00000000000" + uuid,
                "historyId", "history-" + name,
                "name", name,
                "fullName", "io.msrconf.conformance.ConformanceTest." + name,
                "status", status,
                "statusDetails", Map.of("message", message),
                "labels", List.of(Map.of("name", "suite", "value", "ranges"), Map.of("name", "tag", "value", "kvm")),
                "start", start,
                "stop", start + 40);
    }

    private static void writeJson(Path file, Object value) throws IOException {
        JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), value);
    }

    /** The repository root's pom.xml, found from the working directory (the module's, under surefire). */
    private static Path parentPom() throws IOException {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path pom = dir.resolve("pom.xml");
            if (Files.isRegularFile(pom) && Files.readString(pom).contains("<artifactId>msrconf-parent</artifactId>")
                    && Files.isDirectory(dir.resolve("harness"))) {
                return pom;
            }
        }
        throw new IOException("no msrconf parent pom.xml above " + Path.of("").toAbsolutePath());
    }
}
