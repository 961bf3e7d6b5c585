package io.msrconf.matrix;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.msrconf.pipeline.RunSummary.CaseEntry;
import io.msrconf.report.HtmlText;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * matrix.html, beside the Allure report: case × kernel on one screen, the cases whose outcome differs between
 * kernels first (then those that differ only in what was observed, then the rest), one colour per status, the
 * failure or skip reason on hover, and each cell a link to that test in the Allure report. Plain HTML and CSS,
 * no script, so it opens from file:// as it does from a web server; every text of a spec is escaped.
 */
public final class MatrixPage {

    private MatrixPage() {
    }

    /**
     * The Allure report's test-result id of each test, by the history id msrconf gave it (case@backend@kernel column):
     * from the generated report's data/test-cases/*.json. Empty when there is no report.
     */
    public static Map<String, String> reportUids(Path htmlDir) {
        Map<String, String> uids = new HashMap<>();
        Path cases = htmlDir.resolve("data").resolve("test-cases");
        if (!Files.isDirectory(cases)) {
            return uids;
        }
        ObjectMapper json = new ObjectMapper();
        try (Stream<Path> files = Files.list(cases)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".json")).toList()) {
                JsonNode n = json.readTree(f.toFile());
                if (n.hasNonNull("historyId") && n.hasNonNull("uid")) {
                    uids.put(n.get("historyId").asText(), n.get("uid").asText());
                }
            }
        } catch (IOException e) {
            return Map.of();   // the page is still useful without links
        }
        return uids;
    }

    /** The page; {@code reportHref} is the Allure report's index relative to the page (e.g. "html/index.html"). */
    public static String html(MatrixReport report, Map<String, String> uids, String reportHref) {
        List<KernelMatrix.KernelResult> kernels = report.kernels();
        StringBuilder b = new StringBuilder();
        b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>msrconf matrix</title>\n<style>\n")
                .append("body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}h1{font-size:1.3em}h2{font-size:1.05em;margin-top:1.5em}\n")
                .append("table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:3px 8px;text-align:left}\n")
                .append("td.c{text-align:center;min-width:4.5em}td.c a{color:inherit;text-decoration:none;display:block}\n")
                .append(".PASSED{background:#c8e6c9}.FAILED{background:#ef9a9a;font-weight:bold}.SKIPPED{background:#eeeeee;color:#666}\n")
                .append(".KNOWN_DEVIATION{background:#fff59d}.DEVIATION_NOT_REPRODUCED{background:#ffcc80}.ABSENT{background:#fff;color:#aaa}\n")
                .append(".legend span{display:inline-block;padding:2px 8px;margin-right:6px;border:1px solid #ccc}\n</style></head><body>\n");
        b.append("<h1>msrconf: case × kernel</h1>\n<table><tr><th>column</th><th>kernel</th><th>KVM module</th><th>CPU</th><th>target</th></tr>\n");
        for (int k = 0; k < kernels.size(); k++) {
            KernelMatrix.KernelResult r = kernels.get(k);
            b.append("<tr><td>").append(MatrixReport.letter(k)).append("</td>");
            if (r.summary().isPresent()) {
                b.append("<td>").append(esc(r.release())).append("</td><td>").append(esc(r.kvmModule())).append("</td><td>")
                        .append(esc(r.cpuModel())).append("</td>");
            } else {
                b.append("<td colspan=\"3\" class=\"FAILED\">did not run: ").append(esc(firstLine(r.failure()))).append("</td>");
            }
            b.append("<td>").append(esc(r.target().spec())).append("</td></tr>\n");
        }
        b.append("</table>\n<p class=\"legend\">");
        for (String s : List.of("PASSED", "FAILED", "SKIPPED", "KNOWN_DEVIATION", "DEVIATION_NOT_REPRODUCED")) {
            b.append("<span class=\"").append(s).append("\">").append(s.toLowerCase().replace('_', ' ')).append("</span>");
        }
        b.append("</p>\n");
        List<MatrixReport.Row> rows = report.rows();
        section(b, "Outcome differs between kernels", rows.stream().filter(MatrixReport.Row::statusDiffers).toList(), kernels, uids, reportHref);
        section(b, "Same outcome, different observations", rows.stream().filter(r -> !r.statusDiffers() && r.observationDiffers()).toList(),
                kernels, uids, reportHref);
        section(b, "Same on every kernel", rows.stream().filter(r -> !r.statusDiffers() && !r.observationDiffers()).toList(), kernels, uids,
                reportHref);
        b.append("<p><a href=\"").append(esc(reportHref)).append("\">the Allure report</a> · matrix.json has the same data</p>\n</body></html>\n");
        return b.toString();
    }

    private static void section(StringBuilder b, String heading, List<MatrixReport.Row> rows, List<KernelMatrix.KernelResult> kernels,
                                Map<String, String> uids, String reportHref) {
        b.append("<h2>").append(esc(heading)).append(" (").append(rows.size()).append(")</h2>\n");
        if (rows.isEmpty()) {
            return;
        }
        b.append("<table><tr><th>case [backend]</th>");
        for (int k = 0; k < kernels.size(); k++) {
            b.append("<th>").append(MatrixReport.letter(k)).append("</th>");
        }
        b.append("</tr>\n");
        for (MatrixReport.Row r : rows) {
            b.append("<tr><td title=\"").append(esc(r.title())).append("\">").append(esc(r.id())).append("</td>");
            for (int k = 0; k < r.cells().size(); k++) {
                CaseEntry c = r.cells().get(k);
                if (c == null) {
                    b.append("<td class=\"c ABSENT\">–</td>");
                    continue;
                }
                String why = c.status() == io.msrconf.pipeline.RunSummary.Status.PASSED ? "passed" : firstLine(c.reason());
                String uid = uids.get(historyId(c, kernels.get(k)));
                b.append("<td class=\"c ").append(c.status().name()).append("\" title=\"").append(esc(why)).append("\">");
                String label = esc(MatrixReport.cell(c));
                if (uid != null) {
                    b.append("<a href=\"").append(esc(reportHref)).append("#testresult/").append(esc(uid)).append("\">").append(label).append("</a>");
                } else {
                    b.append(label);
                }
                b.append("</td>");
            }
            b.append("</tr>\n");
        }
        b.append("</table>\n");
    }

    /** The history id AllureResults gives a test of a matrix kernel: "case@backend@" and the kernel's column heading. */
    static String historyId(CaseEntry c, KernelMatrix.KernelResult kernel) {
        return c.id() + "@" + c.backend() + "@" + kernel.column();
    }

    private static String esc(String s) {
        return HtmlText.escape(s == null ? "" : s);
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse("");
    }
}
