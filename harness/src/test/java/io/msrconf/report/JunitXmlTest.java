package io.msrconf.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.msrconf.cli.MainAccess;
import io.msrconf.pipeline.RunSummary;
import io.msrconf.pipeline.RunSummary.CaseEntry;
import io.msrconf.pipeline.RunSummary.Status;
import io.msrconf.spec.TestSpecs;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

class JunitXmlTest {

    private static Document parse(String xml) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void oneSuitePerBackendAndAreaWithTheSentenceOfAFailureAndTheReasonOfASkip() throws Exception {
        RunSummary s = new RunSummary(Map.of("kernel.release", "6.12.117"), List.of(
                new CaseEntry("ranges.a", "kvm", Status.PASSED, "t", "c", "", List.of(), List.of()),
                new CaseEntry("ranges.b", "kvm", Status.FAILED, "t <b>", "c",
                        "ranges.b [kvm] t <b>\nExpected #GP on RDMSR(0x174), got no exit & more",
                        List.of("FILTER_NOT_ENFORCED"), List.of()),
                new CaseEntry("x2apic.c", "emulator", Status.SKIPPED, "t", "c", "the case needs KVM module kvm_amd", List.of(), List.of())));
        Document d = parse(JunitXml.of(s));
        Element root = d.getDocumentElement();
        assertThat(root.getAttribute("tests")).isEqualTo("3");
        assertThat(root.getAttribute("failures")).isEqualTo("1");
        assertThat(root.getAttribute("skipped")).isEqualTo("1");
        assertThat(d.getElementsByTagName("testsuite").getLength()).isEqualTo(2);
        Element suite = (Element) d.getElementsByTagName("testsuite").item(0);
        assertThat(suite.getAttribute("name")).isEqualTo("kvm.ranges");
        Element failure = (Element) d.getElementsByTagName("failure").item(0);
        assertThat(failure.getAttribute("message")).isEqualTo("Expected #GP on RDMSR(0x174), got no exit & more");
        assertThat(failure.getAttribute("type")).isEqualTo("FILTER_NOT_ENFORCED");
        assertThat(failure.getTextContent()).contains("ranges.b [kvm] t <b>");
        Element skipped = (Element) d.getElementsByTagName("skipped").item(0);
        assertThat(skipped.getAttribute("message")).isEqualTo("the case needs KVM module kvm_amd");
        assertThat(((Element) d.getElementsByTagName("property").item(0)).getAttribute("value")).isEqualTo("6.12.117");
    }

    @Test
    void runWritesItBesideTheResultsWithTheSameCounts(@TempDir Path dir) throws Exception {
        Path junit = dir.resolve("junit.xml");
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        int status = MainAccess.run(new String[] {"run", "--kvm", "off", "--no-html", "--specs", TestSpecs.DIR.toString(),
                "--out", dir.resolve("out").toString(), "--junit", junit.toString()},
                new PrintStream(console, true, StandardCharsets.UTF_8), new PrintStream(console, true, StandardCharsets.UTF_8));
        assertThat(status).as(console.toString(StandardCharsets.UTF_8)).isZero();
        RunSummary summary = SummaryJson.read(dir.resolve("out/summary.json"));
        Element root = parse(Files.readString(junit)).getDocumentElement();
        assertThat(root.getAttribute("tests")).isEqualTo(Integer.toString(summary.cases().size()));
        assertThat(root.getAttribute("skipped")).isEqualTo(Long.toString(summary.cases().stream().filter(c -> c.status() == Status.SKIPPED).count()));
    }
}
