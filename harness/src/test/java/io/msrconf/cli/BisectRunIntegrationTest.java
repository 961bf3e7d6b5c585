package io.msrconf.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.msrconf.kvm.local.LocalKvm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code msrconf bisect-run} on this machine's KVM, as {@code git bisect run} calls it: a separate JVM
 * through Main, judged by its process exit code. A separate JVM also keeps the launched suite's Allure
 * results out of this build's own (Allure's lifecycle is one per JVM and already bound here).
 * Without KVM on this machine the bisect-run unit test covers the 125 path instead.
 */
class BisectRunIntegrationTest {

    private static final Path SPECS = Path.of("../specs");

    @BeforeEach
    void requireKvm() {
        LocalKvm.unavailableReason().ifPresent(reason -> Assumptions.abort("KVM unavailable: " + reason));
    }

    @Test
    void theRealSpecsAreGood() throws Exception {
        Result r = bisectRun("--specs", SPECS.toString(), "--only", "^ranges\\.");
        assertThat(r.exitCode).as(r.output).isEqualTo(0);
        assertThat(r.output).as(r.output).containsPattern("(?m)^bisect-run: good: \\d+ passed$");
    }

    @Test
    void aDeliberatelyWrongCaseIsBad(@TempDir Path specs) throws Exception {
        Files.writeString(specs.resolve("filter-ranges.yaml"), "area: filter-ranges\ncases:\n" + wrongCopyOfFirstRangesCase());
        Result r = bisectRun("--specs", specs.toString());
        assertThat(r.exitCode).as(r.output).isEqualTo(1);
        assertThat(r.output).as(r.output)
                .containsPattern("(?m)^FAILED ranges\\.read-only-range-denies-reads-only \\[kvm\\]: .*RDMSR\\(0x174\\)")
                .endsWith("bisect-run: bad: 1 of 1 case failed (listed above)\n");
    }

    /** The first case of the real filter-ranges.yaml, with its denied read expected to complete instead of #GP. */
    static String wrongCopyOfFirstRangesCase() throws IOException {
        String spec = Files.readString(SPECS.resolve("filter-ranges.yaml"));
        int start = spec.indexOf("  - id: ranges.read-only-range-denies-reads-only\n");
        int end = spec.indexOf("\n  - id: ", start + 1);
        String original = spec.substring(start, end + 1);
        String wrong = original.replace("{ rdmsr: 0x174, expect: gp }", "{ rdmsr: 0x174, expect: ok }");
        assertThat(wrong).as("the case to flip is in the real spec").isNotEqualTo(original);
        return wrong;
    }

    private record Result(int exitCode, String output) {
    }

    private static Result bisectRun(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "bisect-run"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("bisect-run finished").isTrue();
        return new Result(p.exitValue(), new String(output, StandardCharsets.UTF_8));
    }
}
