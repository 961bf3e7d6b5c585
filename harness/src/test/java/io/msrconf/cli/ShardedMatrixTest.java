package io.msrconf.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.msrconf.target.GuestKernels;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A matrix sharded across CI jobs, locally: separate processes and directories stand in for the jobs (one per
 * kernel: a run on Debian 6.1, matrix jobs on 6.12 and on the host), `msrconf merge` makes them one, and the merged matrix says what
 * one process running all three targets says: the same kernels and, per case and kernel, the same status.
 * Two shards with the same kernel are refused, and nothing is written.
 */
class ShardedMatrixTest {

    private static final String FEW_CASES = "^(ranges\\.read-only-range-denies-reads-only|x2apic\\.enabled-exempt-from-deny-all-filter"
            + "|validation\\.unknown-filter-flags-are-refused|exits\\.negative-wrmsr-error-fails-kvm-run-when-inval-exits-are-off)$";

    /** One CI job: msrconf in its own JVM, as a job's shell would start it. */
    private static String job(Path log, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertThat(p.waitFor(10, TimeUnit.MINUTES)).as("job " + String.join(" ", args)).isTrue();
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    /** Per "case [backend] @ target": its status, from a matrix.json. */
    private static Map<String, String> statuses(Path matrixDir) throws IOException {
        JsonNode m = new ObjectMapper().readTree(matrixDir.resolve("matrix.json").toFile());
        Map<String, String> columns = new TreeMap<>();
        m.get("kernels").forEach(k -> columns.put(k.get("column").asText(), k.get("target").asText()));
        Map<String, String> out = new TreeMap<>();
        for (JsonNode c : m.get("cases")) {
            c.get("results").fields().forEachRemaining(e -> out.put(c.get("id").asText() + " @ " + columns.get(e.getKey()),
                    e.getValue().isNull() ? "absent" : e.getValue().get("status").asText()));
        }
        return out;
    }

    @Test
    void threeShardsMergeIntoWhatOneRunOfTheSameTargetsSays(@TempDir Path tmp) throws Exception {
        GuestKernels.cachedDebian61();
        GuestKernels.cachedDebian612();
        String[] common = {"--only", FEW_CASES, "--specs", "../specs", "--no-html"};
        // a run is a shard too (one kernel); the host's KVM may be missing on a CI machine, which a matrix reports as skips
        job(tmp.resolve("a.log"), concat(new String[] {"run", "--kvm", "debian:6.1", "--out", tmp.resolve("job-a").toString()}, common));
        job(tmp.resolve("b.log"), concat(new String[] {"matrix", "--kernel", "debian:6.12", "--out", tmp.resolve("job-b").toString()}, common));
        job(tmp.resolve("c.log"), concat(new String[] {"matrix", "--kernel", "host", "--out", tmp.resolve("job-c").toString()}, common));
        job(tmp.resolve("all.log"), concat(new String[] {"matrix", "--kernel", "debian:6.1", "--kernel", "debian:6.12", "--kernel", "host",
                "--out", tmp.resolve("one-run").toString()}, common));

        String merged = job(tmp.resolve("merge.log"), "merge", tmp.resolve("job-a").toString(), tmp.resolve("job-b").toString(),
                tmp.resolve("job-c").toString(), "--out", tmp.resolve("merged").toString(), "--no-html");
        assertThat(merged).contains("merge: 3 kernels from 3 result directories");
        Map<String, String> one = statuses(tmp.resolve("one-run"));
        assertThat(one).isNotEmpty().containsValue("PASSED");
        assertThat(statuses(tmp.resolve("merged"))).isEqualTo(one);
        // every kernel's own results came along: compare and bisect read them
        for (String k : List.of("debian-6.1", "debian-6.12", "host")) {
            assertThat(tmp.resolve("merged/kernels/" + k + "/results/summary.json")).isRegularFile();
        }
        assertThat(tmp.resolve("merged/allure-results")).isDirectoryContaining(p -> p.toString().endsWith("-result.json"));

        List<String> conflict = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "merge", tmp.resolve("job-b").toString(),
                tmp.resolve("one-run").toString(), "--out", tmp.resolve("conflict").toString()));
        Process p = new ProcessBuilder(conflict).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isEqualTo(ExitStatus.USAGE);
        assertThat(out).contains("conflicting shards, nothing merged: kernel debian-6.12 (debian:6.12) is in both " + tmp.resolve("job-b")
                + " and " + tmp.resolve("one-run"));
        assertThat(tmp.resolve("conflict/matrix.json")).doesNotExist();
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
