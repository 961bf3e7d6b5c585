package io.msrconf.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.msrconf.pipeline.RunSummary;
import io.msrconf.pipeline.RunSummary.CaseEntry;
import io.msrconf.pipeline.RunSummary.Status;
import io.msrconf.report.SummaryJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompareCommandTest {

    @TempDir
    Path dir;

    @Test
    void exitsOneOnARegressionAndZeroOtherwise() {
        Path good = write("good.json", Status.PASSED, "step 1 run: ok");
        Path bad = write("bad.json", Status.FAILED, "step 1 run: #GP");
        BisectRunCommandTest.Run regressed = BisectRunCommandTest.run("compare", good.toString(), bad.toString());
        assertThat(regressed.code()).isEqualTo(1);
        assertThat(regressed.out()).contains("REGRESSED ranges.a [kvm]: PASSED -> FAILED\n");
        BisectRunCommandTest.Run fixed = BisectRunCommandTest.run("compare", bad.toString(), good.toString());
        assertThat(fixed.code()).isEqualTo(0);
        assertThat(fixed.out()).contains("FIXED ranges.a [kvm]: FAILED -> PASSED\n");
    }

    @Test
    void usageAndUnreadableFilesExitTwoNamingTheFile() throws Exception {
        Path good = write("good.json", Status.PASSED, "step 1 run: ok");
        BisectRunCommandTest.Run oneArgument = BisectRunCommandTest.run("compare", good.toString());
        assertThat(oneArgument.code()).isEqualTo(2);
        assertThat(oneArgument.err()).startsWith("msrconf compare: Missing required parameter: 'AFTER'\n"
                + "Usage: see 'msrconf compare --help'\n");

        Path missing = dir.resolve("missing.json");
        BisectRunCommandTest.Run unreadable = BisectRunCommandTest.run("compare", good.toString(), missing.toString());
        assertThat(unreadable.code()).isEqualTo(2);
        assertThat(unreadable.err()).startsWith("msrconf compare: cannot read " + missing + ": ");

        Path text = Files.writeString(dir.resolve("results.txt"), "PASSED ranges.a [kvm]\n");
        BisectRunCommandTest.Run notJson = BisectRunCommandTest.run("compare", text.toString(), good.toString());
        assertThat(notJson.code()).isEqualTo(2);
        assertThat(notJson.err()).startsWith("msrconf compare: " + text + ": not JSON: ");
        assertThat(notJson.out()).isEmpty();
    }

    @Test
    void kvmAndTheEmulatorOfOneRunCompareByCaseId() {
        Path run = dir.resolve("run.json");
        SummaryJson.write(new RunSummary(Map.of("kernel.release", "6.12.117"), List.of(
                new CaseEntry("ranges.a", "kvm", Status.PASSED, "t", "c", "", List.of(), List.of("step 1 run: RDMSR(0x808) = 0x30")),
                new CaseEntry("ranges.a", "emulator", Status.PASSED, "t", "c", "", List.of(), List.of("step 1 run: RDMSR(0x808) = 0x31")),
                new CaseEntry("ranges.b", "kvm", Status.PASSED, "t", "c", "", List.of(), List.of("ok")),
                new CaseEntry("ranges.b", "emulator", Status.PASSED, "t", "c", "", List.of(), List.of("ok")))), run);

        BisectRunCommandTest.Run kvmVsModel = BisectRunCommandTest.run("compare", run.toString(), run.toString(),
                "--before-backend", "kvm", "--after-backend", "emulator");
        assertThat(kvmVsModel.code()).as(kvmVsModel.err()).isZero();
        assertThat(kvmVsModel.out()).contains("ranges.a").contains("0x30").contains("0x31").doesNotContain("ranges.b");

        BisectRunCommandTest.Run same = BisectRunCommandTest.run("compare", run.toString(), run.toString());
        assertThat(same.out()).doesNotContain("ranges.a");   // each backend with itself: nothing changed

        BisectRunCommandTest.Run noSuchBackend = BisectRunCommandTest.run("compare", run.toString(), run.toString(),
                "--after-backend", "kvm-vs-model");
        assertThat(noSuchBackend.code()).isEqualTo(2);
        assertThat(noSuchBackend.err()).contains("--after-backend: " + run + " has no results of backend 'kvm-vs-model' (it has [emulator, kvm])");
    }

    private Path write(String name, Status status, String observation) {
        Path file = dir.resolve(name);
        SummaryJson.write(new RunSummary(Map.of("kernel.release", "6.18.44"), List.of(new CaseEntry("ranges.a", "kvm", status,
                "title", "cites", status == Status.FAILED ? "Expected #GP" : "", List.of(), List.of(observation)))), file);
        return file;
    }
}
