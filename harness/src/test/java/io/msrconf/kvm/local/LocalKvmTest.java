package io.msrconf.kvm.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import io.msrconf.abi.Errno;
import io.msrconf.kvm.KvmFixture;
import io.msrconf.vcpu.GuestMemory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What only the local transport has: the kvm_run mapping, a kick from another thread, owners that
 * refuse use after close, and no fd or mapping left behind. Skipped, with the reason, where this
 * machine's KVM cannot be used.
 */
class LocalKvmTest {

    private static final long MEMORY_SIZE = 2 << 20;
    private static final long LOOP = 0x1000;
    private static final byte[] JMP_SELF = {(byte) 0xeb, (byte) 0xfe};

    @RegisterExtension
    static final KvmFixture KVM = KvmFixture.forLocalTransport();

    @Test
    void theRunMappingIsAtLeastAPage() {
        assertThat(KVM.local().vcpuMmapSize()).isGreaterThanOrEqualTo(4096);
    }

    @Test
    void kickInterruptsARunOnAnotherThread() throws Exception {
        try (LocalVm vm = KVM.local().createVm()) {
            LocalVcpu vcpu = (LocalVcpu) io.msrconf.kvm.KvmSmokeTestAccess.realModeVcpu(vm, LOOP);
            assertThat(VcpuKicker.kick(vcpu)).as("no run in progress").isFalse();
            CompletableFuture<Integer> run = CompletableFuture.supplyAsync(vcpu::run);
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!VcpuKicker.kick(vcpu) && System.nanoTime() - giveUp < 0) {
                Thread.sleep(5);
            }
            assertThat(run.get(5, TimeUnit.SECONDS)).isEqualTo(Errno.EINTR);
            assertThat(vcpu.runState().immediateExit()).isFalse();
        }
    }

    @Test
    void closedOwnersRefuseAccess() {
        LocalVm vm = KVM.local().createVm();
        GuestMemory memory = vm.mapMemory(MEMORY_SIZE);
        LocalVcpu vcpu = vm.createVcpu(0);
        vm.close();
        vm.close();
        assertThatThrownBy(() -> memory.read(0, 1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> vcpu.runState().exitReason()).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(vcpu::run).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> vm.createVcpu(1)).isInstanceOf(IllegalStateException.class);
    }

    /**
     * 200 VMs with memory and a vCPU leave no fd and no mapping behind. The JVM maps and unmaps
     * on its own (code cache, heap regions, thread stacks, malloc arenas), so the counts may drift
     * by one or two; a leak would show as hundreds (two fds and two mappings per VM).
     */
    @Test
    void closingReleasesEveryFdAndMapping() throws IOException {
        createAndClose(5);
        long fdsBefore = openFds();
        long mapsBefore = mappings();

        createAndClose(200);

        assertThat(openFds()).as("open fds").isCloseTo(fdsBefore, offset(2L));
        // The JVM maps and unmaps on its own (heap, code cache, JIT threads): allow it a little churn.
        assertThat(mappings()).as("lines in /proc/self/maps").isCloseTo(mapsBefore, offset(16L));
    }

    private static void createAndClose(int vms) {
        for (int i = 0; i < vms; i++) {
            try (LocalVm vm = KVM.local().createVm()) {
                vm.mapMemory(MEMORY_SIZE).write(LOOP, JMP_SELF);
                vm.createVcpu(0);
            }
        }
    }

    private static long openFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    private static long mappings() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/maps")).size();
    }
}
