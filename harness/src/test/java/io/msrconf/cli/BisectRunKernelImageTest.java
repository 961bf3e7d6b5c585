package io.msrconf.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.msrconf.target.GuestKernelsAccess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code msrconf bisect-run --kernel IMAGE,modules=DIR}, as {@code git bisect run} calls it for a kernel
 * built at each step: the image is booted under QEMU and the suite runs inside it. Debian's 6.1 kernel
 * stands in for a freshly built one. Judged by the process exit code: 0 good, 1 bad, 125 skip.
 */
// Each test boots its own guest (QEMU runs one vCPU thread each), so they run side by side; isolated,
// so that no other class (e.g. KvmSmokeTest's fd-leak count) runs while they hold pipes and processes.
@Isolated
@Execution(ExecutionMode.CONCURRENT)
class BisectRunKernelImageTest {

    private static final Path SPECS = Path.of("../specs");

    @Test
    void aKernelThatPassesIsGood(@TempDir Path dir) throws Exception {
        Path ktap = dir.resolve("step.ktap");
        Result r = bisectRun(kernelArg(GuestKernelsAccess.debian61Image(), GuestKernelsAccess.debian61Modules()),
                "--specs", SPECS.toString(), "--only", "^ranges\\.read-only-range-denies-reads-only$", "--ktap", ktap.toString());
        assertThat(r.exitCode).as(r.output).isEqualTo(0);
        assertThat(r.output).as(r.output).containsPattern("(?m)^bisect-run: good: 1 passed$");
        // the step's results as KTAP too, for a CI that bisects and keeps each step's log
        assertThat(Files.readString(ktap)).contains("# Subtest: kvm", "ok 1 ranges.read-only-range-denies-reads-only");
    }

    @Test
    void aKernelThatFailsACaseIsBad(@TempDir Path specs) throws Exception {
        Files.writeString(specs.resolve("filter-ranges.yaml"), "area: filter-ranges\ncases:\n" + BisectRunIntegrationTest.wrongCopyOfFirstRangesCase());
        Result r = bisectRun(kernelArg(GuestKernelsAccess.debian61Image(), GuestKernelsAccess.debian61Modules()),
                "--specs", specs.toString());
        assertThat(r.exitCode).as(r.output).isEqualTo(1);
        assertThat(r.output).as(r.output)
                .containsPattern("(?m)^FAILED ranges\\.read-only-range-denies-reads-only \\[kvm\\]: .*RDMSR\\(0x174\\)")
                .endsWith("bisect-run: bad: 1 of 1 case failed (listed above)\n");
    }

    @Test
    void aKernelWithoutKvmIsSkipped(@TempDir Path tree) throws Exception {
        // The same kernel with only the modules of the agent's virtio-serial port, not KVM's: it boots, its
        // agent answers, and the guest has no /dev/kvm.
        Path modules = GuestKernelsAccess.debian61Modules();
        Path copy = tree.resolve(modules.getFileName());
        Files.createDirectories(copy);
        Files.copy(modules.resolve("modules.builtin"), copy.resolve("modules.builtin"));
        try (Stream<Path> all = Files.walk(modules.resolve("kernel/drivers"))) {
            for (Path p : all.filter(Files::isRegularFile).filter(p -> p.startsWith(modules.resolve("kernel/drivers/virtio"))
                    || p.getFileName().toString().startsWith("virtio_console.")).toList()) {
                Path target = copy.resolve(modules.relativize(p).toString());
                Files.createDirectories(target.getParent());
                Files.copy(p, target);   // a copy, not a link: JUnit warns about every link it deletes
            }
        }
        Result r = bisectRun(kernelArg(GuestKernelsAccess.debian61Image(), copy),
                "--specs", SPECS.toString(), "--only", "^ranges\\.read-only-range-denies-reads-only$");
        assertThat(r.exitCode).as(r.output).isEqualTo(125);
        assertThat(r.output).as(r.output).containsPattern("(?m)^bisect-run: skip \\(125\\): the kernel could not be tested: \\S+ did not come up: no usable /dev/kvm in the guest running 6\\.1\\.0-\\d+-amd64");
    }

    @Test
    void aKernelThatDoesNotBootIsSkipped(@TempDir Path dir) throws Exception {
        GuestKernelsAccess.debian61Image();   // the same prerequisites (QEMU), so the skip is the kernel's doing
        Path garbage = dir.resolve("bzImage");
        Files.write(garbage, new byte[4096]);
        Result r = bisectRun(garbage.toString(), "--specs", SPECS.toString(), "--only", "^ranges\\.read-only-range-denies-reads-only$");
        assertThat(r.exitCode).as(r.output).isEqualTo(125);
        assertThat(r.output).as(r.output).containsPattern("(?m)^bisect-run: skip \\(125\\): the kernel could not be tested: \\S+ did not come up: QEMU exited with status \\d+ before the agent answered");
    }

    private static String kernelArg(Path image, Path modules) {
        return image + ",modules=" + modules;
    }

    private record Result(int exitCode, String output) {
    }

    private static Result bisectRun(String kernel, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "bisect-run", "--kernel", kernel));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(10, TimeUnit.MINUTES)).as("bisect-run finished").isTrue();
        return new Result(p.exitValue(), new String(output, StandardCharsets.UTF_8));
    }
}
