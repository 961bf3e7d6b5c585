package io.msrconf.matrix;

import static org.assertj.core.api.Assertions.assertThat;

import io.msrconf.pipeline.RunSummary;
import io.msrconf.pipeline.RunSummary.CaseEntry;
import io.msrconf.pipeline.RunSummary.Status;
import io.msrconf.target.KvmTarget;
import io.msrconf.testutil.HeadlessChromium;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** matrix.html: the grid, differing cases first, a colour per status, the reason on hover, links into the report. */
class MatrixPageTest {

    private static CaseEntry entry(String id, Status status, String message) {
        return new CaseEntry(id, "kvm", status, "<script>alert('title')</script>", "c", message, List.of(), List.of());
    }

    private static KernelMatrix.KernelResult kernel(String target, String release, CaseEntry... cases) {
        RunSummary s = new RunSummary(Map.of("kernel.release", release, "kvm.module", "kvm_amd", "cpu.model", "QEMU TCG"), List.of(cases));
        return new KernelMatrix.KernelResult(KvmTarget.parse(target), Optional.of(s), "", Path.of("."), Duration.ofSeconds(3));
    }

    static MatrixReport report() {
        return new MatrixReport(List.of(
                kernel("debian:6.1", "6.1.0-50-amd64", entry("same.case", Status.PASSED, ""),
                        entry("differing.case", Status.SKIPPED, "the case applies to kernels >= 6.12; this is 6.1.176")),
                kernel("debian:6.12", "6.12.117+deb13-amd64", entry("same.case", Status.PASSED, ""),
                        entry("differing.case", Status.FAILED, "Expected <b>FILTER</b> exit on RDMSR(0x10), got #GP\nmore"))));
    }

    @Test
    void differingCasesComeFirstEachCellColouredWithItsReasonAndItsReportLink() {
        MatrixReport r = report();
        String uid = "abc123";
        String page = MatrixPage.html(r, Map.of("differing.case@kvm@6.12.117+deb13-amd64 kvm_amd", uid), "html/index.html");
        assertThat(page.indexOf("differing.case [kvm]")).isLessThan(page.indexOf("same.case [kvm]"));
        assertThat(page).contains("<td class=\"c FAILED\" title=\"Expected &lt;b&gt;FILTER&lt;/b&gt; exit on RDMSR(0x10), got #GP\">"
                + "<a href=\"html/index.html#testresult/abc123\">FAIL</a></td>",
                "<td class=\"c SKIPPED\" title=\"the case applies to kernels &gt;= 6.12; this is 6.1.176\">skip</td>",
                "Outcome differs between kernels (1)", "Same on every kernel (1)", "6.12.117+deb13-amd64", "debian:6.1");
        // a spec's text is shown, never run: the page has no script at all
        assertThat(page).doesNotContain("<script").contains("&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;");
    }

    @Test
    void itRendersFromFileUrlsInHeadlessChromiumAsAColouredGrid(@TempDir Path tmp) throws Exception {
        Path chromium = HeadlessChromium.find("render the matrix page");
        Path page = tmp.resolve("matrix.html");
        Files.writeString(page, MatrixPage.html(report(), Map.of(), "html/index.html"));
        // kept beside the test results, for a person to look at
        Path shot = Path.of("target", "matrix-page.png").toAbsolutePath();
        Files.deleteIfExists(shot);
        Process p = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                "--window-size=1000,500", "--screenshot=" + shot, page.toUri().toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("chromium finished").isTrue();
        BufferedImage image = ImageIO.read(shot.toFile());
        assertThat(image).as("a screenshot at " + shot).isNotNull();
        // the status colours are on screen: the pass green and the failure red of the stylesheet
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 2) {
            for (int x = 0; x < image.getWidth(); x += 2) {
                colours.add(image.getRGB(x, y) & 0xffffff);
            }
        }
        assertThat(colours).contains(0xc8e6c9, 0xef9a9a, 0xeeeeee);
    }
}
