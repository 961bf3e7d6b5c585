package io.msrconf.matrix;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.msrconf.matrix.KernelMatrix.KernelResult;
import io.msrconf.pipeline.RunSummary;
import io.msrconf.pipeline.RunSummary.CaseEntry;
import io.msrconf.pipeline.RunSummary.Status;
import io.msrconf.target.KvmTarget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MatrixReportTest {

    private static CaseEntry entry(String id, Status status, String message, String... observation) {
        return new CaseEntry(id, "kvm", status, "title of " + id, "cites", message, List.of(), List.of(observation));
    }

    private static KernelResult kernel(String spec, String release, String module, Path dir, CaseEntry... cases) {
        RunSummary s = new RunSummary(Map.of("kernel.release", release, "kvm.module", module, "cpu.model", "cpu " + module),
                List.of(cases));
        return new KernelResult(KvmTarget.parse(spec), Optional.of(s), "", dir.resolve(spec.replace(':', '-')), Duration.ofSeconds(30));
    }

    @Test
    void casesThatDifferComeFirstWithTheReasonBelow(@TempDir Path dir) {
        KernelResult old = kernel("debian:5.10", "5.10.0-32-amd64", "kvm_amd", dir,
                entry("a.same", Status.PASSED, "", "  RDMSR(0x10): #GP"),
                entry("b.differs", Status.SKIPPED, "the case applies to kernels >= 5.12; this is 5.10"),
                entry("c.observed", Status.PASSED, "", "  RDMSR(0x10): completed with value 0x1"));
        KernelResult host = kernel("host", "6.18.44", "kvm_pvm", dir,
                entry("a.same", Status.PASSED, "", "  RDMSR(0x10): #GP"),
                entry("b.differs", Status.FAILED, "b.differs [kvm] title of b.differs\nExpected #GP on RDMSR(0x174), got no exit\nmore"),
                entry("c.observed", Status.PASSED, "", "  RDMSR(0x10): completed with value 0x2"));
        KernelResult broken = new KernelResult(KvmTarget.parse("debian:6.1"), Optional.empty(),
                "the guest did not power off within 300 s", dir.resolve("x"), Duration.ofSeconds(300));

        MatrixReport report = new MatrixReport(List.of(old, host, broken));
        String table = report.table();

        assertThat(table).contains(
                "  A  5.10.0-32-amd64  kvm_amd  cpu kvm_amd  (debian:5.10, 30 s)\n",
                "  B  6.18.44  kvm_pvm  cpu kvm_pvm  (host, 30 s)\n",
                "  C  NOT RUN: the guest did not power off within 300 s  (debian:6.1, 300 s)\n");
        assertThat(table).containsSubsequence(
                "outcome differs between kernels (1):",
                "  b.differs [kvm]   skip    FAIL    -     ",
                "same outcome, different observations (1):",
                "  c.observed [kvm]  pass    pass    -     ",
                "same on every kernel: 1 case (1 pass)",
                "why:",
                "  A b.differs [kvm]: skipped: the case applies to kernels >= 5.12; this is 5.10",
                "  B b.differs [kvm]: failed: Expected #GP on RDMSR(0x174), got no exit",
                "  A c.observed [kvm]: observed RDMSR(0x10): completed with value 0x1",
                "  B c.observed [kvm]: observed RDMSR(0x10): completed with value 0x2",
                "  C did not run: the guest did not power off within 300 s");
        assertThat(report.differingCases()).containsExactly("b.differs [kvm]");
        assertThat(report.anyFailure()).isTrue();
        assertThat(report.allKernelsRan()).isFalse();
    }

    @Test
    void aKernelThatDidNotRunIsABrokenTestInTheReportWithItsConsole(@TempDir Path dir) throws Exception {
        Path kernelDir = Files.createDirectories(dir.resolve("kernels/debian-6.1"));
        Files.writeString(kernelDir.resolve("console.log"), "msrconf-guest: FATAL: no virtio-serial port named msrconf.agent\n");
        KernelResult broken = new KernelResult(KvmTarget.parse("debian:6.1"), Optional.empty(),
                "the guest did not power off within 300 s", kernelDir, Duration.ofSeconds(300));
        Path merged = dir.resolve("allure-results");

        new MatrixReport(List.of(broken)).mergeAllure(merged);

        List<Path> results;
        try (var files = Files.list(merged)) {
            results = files.filter(f -> f.getFileName().toString().endsWith("-result.json")).toList();
        }
        assertThat(results).hasSize(1);
        JsonNode r = new ObjectMapper().readTree(results.get(0).toFile());
        assertThat(r.get("status").asText()).isEqualTo("broken");
        assertThat(r.get("name").asText()).isEqualTo("kernel debian:6.1 did not run");
        assertThat(r.get("statusDetails").get("message").asText()).isEqualTo("kernel debian:6.1 did not run: the guest did not power off within 300 s");
        assertThat(Files.readString(merged.resolve(r.get("attachments").get(0).get("source").asText())))
                .contains("no virtio-serial port named msrconf.agent");
        java.util.Properties env = new java.util.Properties();   // read as Allure reads it
        try (java.io.InputStream in = Files.newInputStream(merged.resolve("environment.properties"))) {
            env.load(in);
        }
        assertThat(env.getProperty("A kernel")).isEqualTo("NOT RUN (debian:6.1): the guest did not power off within 300 s");
    }

    @Test
    void theJsonKeysEachKernelByReleaseModuleAndCpu(@TempDir Path dir) throws Exception {
        KernelResult a = kernel("debian:6.1", "6.1.0-50-amd64", "kvm_amd", dir, entry("a.case", Status.PASSED, ""));
        KernelResult b = kernel("host", "6.18.44", "kvm_pvm", dir, entry("a.case", Status.PASSED, ""));
        MatrixReport report = new MatrixReport(List.of(a, b));
        Path file = dir.resolve("matrix.json");

        report.writeJson(file, dir);

        JsonNode json = new ObjectMapper().readTree(Files.readString(file));
        assertThat(json.get("format").asText()).isEqualTo(MatrixReport.FORMAT);
        assertThat(json.get("kernels").get(0).get("key").get("kernelRelease").asText()).isEqualTo("6.1.0-50-amd64");
        assertThat(json.get("kernels").get(0).get("key").get("kvmModule").asText()).isEqualTo("kvm_amd");
        assertThat(json.get("kernels").get(1).get("key").get("cpuModel").asText()).isEqualTo("cpu kvm_pvm");
        assertThat(json.get("kernels").get(1).get("summary").asText()).isEqualTo("host/results/summary.json");
        assertThat(json.get("cases").get(0).get("results").get("B").get("status").asText()).isEqualTo("PASSED");
        assertThat(report.table()).contains("same on every kernel: 1 case (1 pass)");
        assertThat(report.anyFailure()).isFalse();
    }
}
