package io.msrconf.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The single file made from a multi-file report: every data file travels, byte for byte, in the gzip stream the page
 * unpacks; scripts and styles are inlined as data URLs; a font keeps its WOFF2 source only. (Rendered in a browser by
 * {@code ReportScriptInjectionTest}; made from a real Allure report by {@code AllureHtmlTest}.)
 */
class SingleFileReportTest {

    /** Allure 2.34's multi-file index.html, as its template writes it (ALLURE_NO_ANALYTICS set). */
    private static final String INDEX = """
            <!DOCTYPE html>
            <html dir="ltr" lang="en">
            <head>
                <meta charset="utf-8">
                <title>Allure Report</title>
                <link rel="icon" href="favicon.ico">
                <link rel="stylesheet" type="text/css" href="styles.css">
                <link rel="stylesheet" type="text/css" href="plugin/screen-diff/styles.css">
            </head>
            <body>
                <div id="alert"></div>
                <div id="content"></div>
                <div id="popup"></div>
                <script src="app.js"></script>
                <script src="plugin/behaviors/index.js"></script>
                <script>
                    window.dataLayer = window.dataLayer || [];
                </script>
            </body>
            </html>
            """;

    private static final String FONT_FACE = "@font-face{font-family:FontAwesome;font-style:normal;font-weight:400;"
            + "src:url(data:application/vnd.ms-fontobject;base64,EOT1);"
            + "src:url(data:application/vnd.ms-fontobject;base64,EOT2?#iefix&v=4.7.0) format(\"embedded-opentype\"),"
            + "url(data:font/woff2;base64,WOFF2) format(\"woff2\"),url(data:font/woff;base64,WOFF) format(\"woff\"),"
            + "url(data:font/ttf;base64,TTF) format(\"truetype\"),url(data:image/svg+xml;base64,SVG#fontawesomeregular) format(\"svg\")}";

    @TempDir
    Path tmp;

    @Test
    void everyDataFileTravelsByteForByteAndEveryReferenceIsInlined() throws IOException {
        Path html = multiFileReport(tmp.resolve("html"));
        byte[] binary = new byte[70_000];
        new java.util.Random(7).nextBytes(binary);
        Files.write(html.resolve("data/attachments/b.png"), binary);
        Path single = tmp.resolve("single");
        Files.createDirectories(single.resolve("old"));

        Path index = SingleFileReport.write(html, single);

        assertThat(index).isEqualTo(single.resolve("index.html"));
        assertThat(single).isDirectoryNotContaining(p -> p.getFileName().toString().equals("old"));
        String page = Files.readString(index);
        Map<String, byte[]> data = unpack(page);
        assertThat(data.keySet()).containsExactly("data/attachments/a.txt", "data/attachments/b.png",
                "data/test-cases/1.json", "history/history.json", "widgets/summary.json");
        for (Map.Entry<String, byte[]> e : data.entrySet()) {
            assertThat(e.getValue()).as(e.getKey()).isEqualTo(Files.readAllBytes(html.resolve(e.getKey())));
        }
        // the data script comes before the report's scripts, which read window.reportData from their first request
        assertThat(page.indexOf("window.reportData = {}")).isLessThan(page.indexOf("<script src=\"data:text/javascript"));
        Matcher references = Pattern.compile("\\b(?:src|href)=\"([^\"]*)\"").matcher(page);
        int inlined = 0;
        while (references.find()) {
            assertThat(references.group(1)).as("a reference in the single file").startsWith("data:");
            inlined++;
        }
        assertThat(inlined).as("the icon, two stylesheets, two scripts").isEqualTo(5);
        assertThat(page).contains("data:text/javascript;base64," + base64("window.app = 1;"))
                .contains("data:text/css;base64," + base64(".screen-diff{}"))
                .contains("window.dataLayer");   // the page's own inline script stays
        String styles = decodedDataUrl(page, "text/css");
        assertThat(styles).contains("WOFF2").doesNotContain("EOT1", "EOT2", "WOFF)", "TTF", "SVG");
    }

    @Test
    void aFontKeepsOnlyItsWoff2SourceAndEverythingElseStays() {
        String css = ".a{color:red}" + FONT_FACE + ".b{background:url(data:image/png;base64,PNG)}"
                + "@font-face{font-family:Other;src:url(other.woff) format(\"woff\")}";

        String reduced = SingleFileReport.woff2Only(css);

        assertThat(reduced).isEqualTo(".a{color:red}"
                + "@font-face{font-family:FontAwesome;font-style:normal;font-weight:400;"
                + "src:url(data:font/woff2;base64,WOFF2) format(\"woff2\")}"
                + ".b{background:url(data:image/png;base64,PNG)}"
                + "@font-face{font-family:Other;src:url(other.woff) format(\"woff\")}");
    }

    @Test
    void aReferenceOutsideTheReportIsRefusedNotRead() throws IOException {
        Path html = multiFileReport(tmp.resolve("html"));
        Files.writeString(tmp.resolve("secret.js"), "secret");
        Files.writeString(html.resolve("index.html"), INDEX.replace("plugin/behaviors/index.js", "../secret.js"));

        assertThatThrownBy(() -> SingleFileReport.write(html, tmp.resolve("single")))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("references ../secret.js, which is not a file of the report");
    }

    @Test
    void aPageWithoutScriptsIsNotTakenForAReport() throws IOException {
        Path html = multiFileReport(tmp.resolve("html"));
        Files.writeString(html.resolve("index.html"), "<html><body>hello</body></html>");

        assertThatThrownBy(() -> SingleFileReport.write(html, tmp.resolve("single")))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("loads no script");
    }

    /** The data files a single-file page carries, unpacked as its script does: path → content. */
    static Map<String, byte[]> unpack(String page) throws IOException {
        Matcher files = Pattern.compile("var files = (\\[.*?]);\\n").matcher(page);
        Matcher packed = Pattern.compile("var packed = \"([A-Za-z0-9+/=]*)\";").matcher(page);
        assertThat(files.find()).as("the manifest of the data files").isTrue();
        assertThat(packed.find()).as("the packed data files").isTrue();
        byte[] all;
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(Base64.getDecoder().decode(packed.group(1))))) {
            all = in.readAllBytes();
        }
        Map<String, byte[]> out = new LinkedHashMap<>();
        int at = 0;
        for (JsonNode file : new ObjectMapper().readTree(files.group(1))) {
            int length = file.get(1).asInt();
            out.put(file.get(0).asText(), java.util.Arrays.copyOfRange(all, at, at + length));
            at += length;
        }
        assertThat(at).as("the manifest accounts for every unpacked byte").isEqualTo(all.length);
        return out;
    }

    private static Path multiFileReport(Path html) throws IOException {
        Files.createDirectories(html.resolve("data/attachments"));
        Files.createDirectories(html.resolve("data/test-cases"));
        Files.createDirectories(html.resolve("widgets"));
        Files.createDirectories(html.resolve("history"));
        Files.createDirectories(html.resolve("plugin/screen-diff"));
        Files.createDirectories(html.resolve("plugin/behaviors"));
        Files.writeString(html.resolve("index.html"), INDEX);
        Files.write(html.resolve("favicon.ico"), new byte[] {0, 0, 1, 0});
        Files.writeString(html.resolve("styles.css"), ".x{}" + FONT_FACE);
        Files.writeString(html.resolve("app.js"), "window.app = 1;");
        Files.writeString(html.resolve("plugin/screen-diff/styles.css"), ".screen-diff{}");
        Files.writeString(html.resolve("plugin/behaviors/index.js"), "window.behaviors = 1;");
        Files.writeString(html.resolve("data/attachments/a.txt"), "expected | actual </script><script>alert(1)</script>");
        Files.writeString(html.resolve("data/test-cases/1.json"), "{\"name\":\"ranges.a [kvm]\"}");
        Files.writeString(html.resolve("widgets/summary.json"), "{\"statistic\":{}}");
        Files.writeString(html.resolve("history/history.json"), "{}");
        return html;
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String decodedDataUrl(String page, String mediaType) {
        Matcher m = Pattern.compile("href=\"data:" + Pattern.quote(mediaType) + ";base64,([^\"]*)\"").matcher(page);
        assertThat(m.find()).as("a " + mediaType + " data URL").isTrue();
        return new String(Base64.getDecoder().decode(m.group(1)), StandardCharsets.UTF_8);
    }
}
