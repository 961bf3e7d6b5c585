package io.msrconf.backend;

import io.msrconf.target.TestTargets;
import io.msrconf.kvm.Kvm;
import static org.assertj.core.api.Assertions.assertThat;

import io.msrconf.guest.Payload;
import io.msrconf.kvm.local.LocalKvm;
import io.msrconf.spec.Case;
import io.msrconf.spec.SpecLoader;
import io.msrconf.spec.TestSpecs;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Nothing the suite is fed may hang it, crash it or leak: many consecutive cases leave no file
 * descriptors, mappings or threads behind, and a payload that is not valid code ends its run with a
 * clear observation while the next case still runs.
 */
class RobustnessTest {

    private static final List<Case> SPEC_CASES = SpecLoader.load(TestSpecs.DIR).cases();

    /** What the process holds: open fds, mappings, threads (Linux /proc). */
    private record Resources(long fds, long mappings, long threads) {
        static Resources now() throws IOException {
            try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"));
                 Stream<String> maps = Files.lines(Path.of("/proc/self/maps"));
                 Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
                return new Resources(fds.count(), maps.count(), tasks.count());
            }
        }
    }

    /**
     * 10,000 consecutive cases on this machine's KVM (a reused VM, so the test stays fast; plus 300 on fresh
     * VMs, the default) and 10,000 on the emulator. A per-case leak shows as thousands of fds or mappings; the
     * JVM's own churn stays within the small tolerance. Needs /dev/kvm: it counts this process's resources.
     */
    @Test
    void tenThousandCasesLeaveNoFdsMappingsOrThreadsBehind() throws IOException {
        LocalKvm.unavailableReason().ifPresent(Assumptions::abort);
        Kvm local = TestTargets.host().orElseThrow().kvm();
        runCases(KvmBackend.on(local, KvmBackend.Options.defaults().reusingVm()), 50);
        runCases(KvmBackend.on(local, KvmBackend.Options.defaults()), 5);
        runCases(EmulatorBackend.create(), 50);   // warm-up: class loading, JIT, the kicker's thread
        Resources before = Resources.now();
        runCases(KvmBackend.on(local, KvmBackend.Options.defaults().reusingVm()), 10_000);
        runCases(KvmBackend.on(local, KvmBackend.Options.defaults()), 300);
        runCases(EmulatorBackend.create(), 10_000);
        Resources after = Resources.now();
        assertThat(after.fds()).as("open fds (before: %s)", before).isLessThanOrEqualTo(before.fds() + 2);
        assertThat(after.mappings()).as("mappings (before: %s)", before).isLessThanOrEqualTo(before.mappings() + 16);
        assertThat(after.threads()).as("threads (before: %s)", before).isLessThanOrEqualTo(before.threads() + 1);
    }

    private static void runCases(Backend backend, int count) {
        try (backend) {
            for (int i = 0; i < count; i++) {
                Case c = SPEC_CASES.get(i % SPEC_CASES.size());
                if (backend.cannotRun(c).isEmpty()) {
                    backend.run(c);
                }
            }
        }
    }

    /** A payload with a valid header whose code and exception stubs are all zero bytes ("add %al,(%rax)"). */
    private static Payload zeroedPayload() {
        byte[] image = new byte[4096];
        ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        b.put("MSRCONF1".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        b.putInt(8, 0x40).putInt(12, 0x100).putInt(16, 32).putInt(20, 16);
        return Payload.fromImage("zeroes", image);
    }

    /**
     * The same on the guest kernel's KVM, through the agent: 500 cases on a reused VM and 50 on fresh VMs
     * leave no fd behind in the agent (its /proc/self/fd, read through it).
     */
    @Test
    void casesThroughTheAgentLeaveNoFdsBehindInTheGuest() {
        Kvm guest = TestTargets.guest().kvm();
        runCases(KvmBackend.on(guest, KvmBackend.Options.defaults().reusingVm()), 20);
        int before = guest.listDirectory("/proc/self/fd").size();
        runCases(KvmBackend.on(guest, KvmBackend.Options.defaults().reusingVm()), 500);
        runCases(KvmBackend.on(guest, KvmBackend.Options.defaults()), 50);
        assertThat(guest.listDirectory("/proc/self/fd")).as("the agent's open fds (before: %d)", before).hasSize(before);
    }

    @Test
    void aPayloadThatIsNotValidCodeEndsTheRunAndTheNextCaseRuns() {
        Kvm kvmTarget = TestTargets.guest().kvm();
        Case c = SelfTestCases.ONE_READ;
        long start = System.nanoTime();
        try (KvmBackend kvm = KvmBackend.on(kvmTarget, KvmBackend.Options.defaults().with(Duration.ofMillis(500), zeroedPayload()))) {
            RunEnd end = ((StepOutcome.GuestRan) kvm.run(c).steps().get(0)).end();
            assertThat(end).isNotInstanceOf(RunEnd.Reported.class);
            assertThat(end.describe()).isNotBlank();
        }
        assertThat((System.nanoTime() - start) / 1_000_000).as("ms to end the garbage run").isLessThan(3_000);
        try (KvmBackend kvm = KvmBackend.on(kvmTarget, KvmBackend.Options.defaults())) {
            assertThat(((StepOutcome.GuestRan) kvm.run(c).steps().get(0)).end()).isInstanceOf(RunEnd.Reported.class);
        }
    }

    @Test
    void theEmulatorEndsAGarbagePayloadRunToo() {
        try (EmulatorBackend emulator = EmulatorBackend.withPayload(zeroedPayload(), Duration.ofMillis(500))) {
            RunEnd end = ((StepOutcome.GuestRan) emulator.run(SelfTestCases.ONE_READ).steps().get(0)).end();
            assertThat(end).isNotInstanceOf(RunEnd.Reported.class);
        }
    }
}
