package io.msrconf.matrix;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.msrconf.kvm.local.LocalKvm;
import io.msrconf.target.GuestKernels;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kernel matrix end to end, as CI runs it: Debian's 6.1 kernel booted under QEMU and the host's own
 * kernel, a few cases each on KVM, on the emulator as the model of that kernel and KVM against the model,
 * then the table, matrix.json and the merged Allure results.
 */
class KernelMatrixIntegrationTest {

    private static final String FEW_CASES = "^(ranges\\.read-only-range-denies-reads-only|x2apic\\.enabled-exempt-from-deny-all-filter"
            + "|validation\\.unknown-filter-flags-are-refused)$";

    @Test
    void debian61AndTheHostSideBySide(@TempDir Path out) throws Exception {
        GuestKernels.cachedDebian61();
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();

        int status = io.msrconf.cli.MainAccess.run(new String[] {"matrix", "--kernel", "debian:6.1", "--kernel", "host",
                "--only", FEW_CASES, "--specs", "../specs", "--out", out.toString(), "--no-html"},
                new PrintStream(stdout, true, StandardCharsets.UTF_8), new PrintStream(stderr, true, StandardCharsets.UTF_8));
        String table = stdout.toString(StandardCharsets.UTF_8);

        boolean hostKvm = LocalKvm.unavailableReason().isEmpty();
        assertThat(status).as(table + stderr).isZero();   // without KVM on the host its cases are skipped, which is no failure
        assertThat(table).as(table).containsPattern("(?m)^  A  6\\.1\\.0-\\d+-amd64  kvm_amd  .+  \\(debian:6\\.1, \\d+ s\\)$");
        assertThat(table).as(table).containsPattern("(?m)^  B  \\S+  \\S+  .+  \\(host, \\d+ s\\)$");
        assertThat(table).as(table).contains(hostKvm ? "same on every kernel: 9 cases (9 pass)" : "outcome differs between kernels (6)");

        JsonNode matrix = new ObjectMapper().readTree(out.resolve("matrix.json").toFile());
        assertThat(matrix.get("kernels")).allSatisfy(k -> assertThat(k.get("ran").asBoolean()).isTrue());
        assertThat(matrix.get("kernels").get(0).get("key").get("kvmModule").asText()).isEqualTo("kvm_amd");
        // Each kernel's own summary is there for `msrconf compare`.
        assertThat(out.resolve(matrix.get("kernels").get(0).get("summary").asText())).isRegularFile();
        // ... and its KTAP, for a kernel CI that parses one log per kernel it boots
        Path ktap = out.resolve(matrix.get("kernels").get(0).get("summary").asText()).resolveSibling("results.ktap");
        assertThat(Files.readString(ktap)).startsWith("KTAP version 1\n").contains("# Subtest: kvm", "# Subtest: kvm-vs-model");

        // One Allure results directory, every result naming its kernel: the same case on two kernels is two tests.
        List<JsonNode> results;
        try (Stream<Path> files = Files.list(out.resolve("allure-results"))) {
            results = files.filter(f -> f.getFileName().toString().endsWith("-result.json"))
                    .map(f -> read(f)).collect(Collectors.toList());
        }
        // 3 cases x (kvm, emulator, kvm-vs-model) x 2 kernels
        assertThat(results).hasSize(18);
        Set<String> historyIds = results.stream().map(r -> r.get("historyId").asText()).collect(Collectors.toSet());
        assertThat(historyIds).hasSize(18).anyMatch(h -> h.endsWith("@kvm@" + matrixRelease(matrix, 0) + " kvm_amd"));
        assertThat(results.stream().flatMap(r -> Stream.of(r.get("labels")).flatMap(l -> java.util.stream.StreamSupport.stream(l.spliterator(), false)))
                .filter(l -> l.get("name").asText().equals("parentSuite")).map(l -> l.get("value").asText()).distinct())
                .hasSize(5).contains("emulator").anyMatch(s -> s.startsWith("kvm on 6.1.0-")).anyMatch(s -> s.startsWith("kvm-vs-model on 6.1.0-"));
        // read as Allure reads it: keys with spaces stay whole
        java.util.Properties env = new java.util.Properties();
        try (java.io.InputStream in = Files.newInputStream(out.resolve("allure-results/environment.properties"))) {
            env.load(in);
        }
        assertThat(env.getProperty("A kernel")).startsWith("6.1.0-");
        assertThat(env.getProperty("B kernel")).isNotBlank();
    }

    private static String matrixRelease(JsonNode matrix, int k) {
        return matrix.get("kernels").get(k).get("key").get("kernelRelease").asText();
    }

    private static JsonNode read(Path f) {
        try {
            return new ObjectMapper().readTree(f.toFile());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
