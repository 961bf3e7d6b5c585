package io.msrconf.cli;

import io.msrconf.matrix.MatrixPage;
import io.msrconf.matrix.MatrixReport;
import io.msrconf.report.AllureHtml;
import io.msrconf.report.ResultsDirectory;
import io.msrconf.util.AtomicFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;

/** What a matrix writes, whether its kernels ran here ({@code matrix}) or in other jobs ({@code merge}): one place for both. */
final class MatrixOutputs {

    private MatrixOutputs() {
    }

    /**
     * matrix.json, the merged Allure results, the HTML report (with the history of the published one) unless
     * {@code noHtml}, matrix.html beside it; then publishes them with the kernels' folders. A report Allure cannot
     * generate is said on {@code err}, under {@code command}'s name, and the results are kept.
     */
    static void write(ResultsDirectory results, MatrixReport report, boolean noHtml, String command, PrintWriter err) {
        report.writeJson(results.staged("matrix.json"), results.stagingRoot());
        report.mergeAllure(results.staged("allure-results"));
        if (!noHtml) {
            try {
                AllureHtml.generate(results.staged("allure-results"), results.staged("html"), results.staged("single"),
                        results.published("html").resolve("history"));
            } catch (AllureHtml.Failure | IllegalArgumentException e) {
                err.println("msrconf " + command + ": the HTML report could not be generated (the results are kept): " + e.getMessage());
            }
        }
        try {
            // the grid people look at first, beside the report its cells link into
            AtomicFiles.write(results.staged("matrix.html"), MatrixPage.html(report, MatrixPage.reportUids(results.staged("html")),
                    "html/index.html").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new ResultsDirectory.OutputException("cannot write matrix.html: " + e.getMessage(), e);
        }
        results.publish(List.of("kernels", "matrix.json", "matrix.html", "allure-results", "html", "single"));
    }

    /** Where the published matrix is. */
    static void printWhere(ResultsDirectory results, PrintWriter out) {
        out.println("matrix.json: " + results.published("matrix.json"));
        out.println("matrix page: " + results.published("matrix.html"));
        out.println("per-kernel summaries (for msrconf compare): " + results.published("kernels") + "/*/results/summary.json");
        if (Files.isRegularFile(results.published("html").resolve("index.html"))) {
            out.println("report: " + results.published("html").resolve("index.html"));
        }
    }
}
