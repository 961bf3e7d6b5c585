package io.msrconf.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.msrconf.cli.MainAccess;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A spec is input like any other: a title and a citation carrying markup and script must show as text
 * in the HTML reports and never run. A real browser (headless Chromium) renders the test's page of both
 * reports, the multi-file one and the single file people attach to bug trackers; each payload would set
 * the page's title if it ran. It also opens an attachment in the single file, whose data the page unpacks itself.
 * Without Chromium the test is skipped locally and fails under CI (.ci/run
 * installs it).
 */
class ReportScriptInjectionTest {

    private static final String SPEC = """
            area: filter-ranges
            cases:
              - id: ranges.injection
                title: "Reads are <img src=x onerror=\\"document.title='RAN-TITLE'\\"> denied"
                cites: "api.rst <script>document.title='RAN-SCRIPT'</script> and <img src=x onerror=\\"document.title='RAN-CITES'\\">"
                steps:
                  - set-filter:
                      default: allow
                      ranges:
                        - { flags: [READ], base: 0x174, nmsrs: 1, deny: all }
                    expect: ok
                  - run:
                      - { rdmsr: 0x174, expect: gp }
            """;

    @Test
    void markupInATitleOrCitationShowsAsTextAndNeverRuns(@TempDir Path dir) throws Exception {
        Path chromium = chromium();
        Path specs = Files.createDirectories(dir.resolve("specs"));
        Files.writeString(specs.resolve("filter-ranges.yaml"), SPEC);
        Path out = dir.resolve("out");
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        int status = MainAccess.run(new String[] {"run", "--kvm", "off", "--specs", specs.toString(), "--out", out.toString()},
                new PrintStream(console, true, StandardCharsets.UTF_8), new PrintStream(console, true, StandardCharsets.UTF_8));
        assertThat(status).as(console.toString(StandardCharsets.UTF_8)).isZero();

        String uid = testUid(out.resolve("html"));
        HttpServer server = serve(out.resolve("html"));
        try {
            String served = render(chromium, "http://127.0.0.1:" + server.getAddress().getPort() + "/index.html#testresult/" + uid);
            assertRenderedAsText(served);
        } finally {
            server.stop(0);
        }
        // the single file is made from the multi-file report: the same test, the same uid
        String singleDom = render(chromium, out.resolve("single/index.html").toUri() + "#testresult/" + uid);
        assertThat(singleDom).as("the single file unpacked its data (else its alert line says why)").contains("<div id=\"alert\"></div>");
        assertRenderedAsText(singleDom);
        // an attachment opens from the single file too: its text travels in the page's packed data
        String attachment = render(chromium, out.resolve("single/index.html").toUri() + "#testresult/" + uid + "?attachment="
                + attachmentUid(out.resolve("html"), uid, "expected vs actual"));
        assertThat(attachment).as("the expected-vs-actual attachment, opened in the single file")
                .contains("expected").contains("| step 2: run the guest reported completion").contains("RDMSR(0x174): faulted with #GP");
    }

    /** The page rendered the payloads (as text: the DOM holds them escaped) and none of them ran. */
    private static void assertRenderedAsText(String dom) {
        String title = dom.replaceAll("(?s).*?<title>(.*?)</title>.*", "$1");
        assertThat(title).as("the page's title, which every payload would have set").doesNotContain("RAN-");
        assertThat(dom).as("the test's page, with the title and the citation as text")
                .contains("Reads are &lt;img src=x onerror=")
                .contains("&lt;script&gt;document.title='RAN-SCRIPT'&lt;/script&gt;");
        assertThat(dom).doesNotContain("<img src=\"x\"", "<script>document.title");
    }

    /** The multi-file report over HTTP on 127.0.0.1 (it fetches its data files, which file:// refuses). */
    private static HttpServer serve(Path root) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            Path file = root.resolve(exchange.getRequestURI().getPath().substring(1)).normalize();
            if (file.equals(root)) {
                file = root.resolve("index.html");
            }
            if (!file.startsWith(root) || !Files.isRegularFile(file)) {
                exchange.sendResponseHeaders(404, -1);
            } else {
                String name = file.getFileName().toString();
                exchange.getResponseHeaders().add("Content-Type", name.endsWith(".html") ? "text/html"
                        : name.endsWith(".js") ? "application/javascript" : name.endsWith(".css") ? "text/css"
                        : name.endsWith(".json") ? "application/json" : "application/octet-stream");
                byte[] body = Files.readAllBytes(file);
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        server.start();
        return server;
    }

    private static String testUid(Path html) throws IOException {
        try (Stream<Path> cases = Files.list(html.resolve("data/test-cases"))) {
            for (Path p : cases.toList()) {
                JsonNode n = new ObjectMapper().readTree(p.toFile());
                if (n.path("name").asText().startsWith("ranges.injection")) {
                    return n.get("uid").asText();
                }
            }
        }
        throw new AssertionError("no test case ranges.injection in " + html);
    }

    private static String attachmentUid(Path html, String testUid, String name) throws IOException {
        for (JsonNode a : new ObjectMapper().readTree(html.resolve("data/test-cases/" + testUid + ".json").toFile())
                .path("testStage").path("attachments")) {
            if (a.path("name").asText().equals(name)) {
                return a.path("uid").asText();
            }
        }
        throw new AssertionError("test " + testUid + " has no attachment '" + name + "'");
    }

    /** The DOM after the page's scripts ran (virtual time lets the report fetch and render its data). */
    private static String render(Path chromium, String url) throws Exception {
        Process p = new ProcessBuilder(List.of(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--allow-file-access-from-files", "--virtual-time-budget=15000", "--dump-dom", url))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String dom;
        try (InputStream in = p.getInputStream()) {
            dom = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish rendering " + url);
        }
        return dom;
    }

    private static Path chromium() {
        return io.msrconf.testutil.HeadlessChromium.find("prove no script runs in the reports");
    }
}
