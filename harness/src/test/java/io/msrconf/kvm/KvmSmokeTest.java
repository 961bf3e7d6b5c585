package io.msrconf.kvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.msrconf.vcpu.GuestMemory;
import io.msrconf.vcpu.VcpuExit;
import io.msrconf.abi.Errno;
import io.msrconf.abi.ExitReason;
import io.msrconf.abi.KvmCap;
import io.msrconf.filter.FilterRange;
import io.msrconf.filter.MsrFilter;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The typed KVM API against a real KVM, whatever transport reaches it: system ioctls, a VM with memory
 * and a vCPU, host MSR access, the filter ioctl's errno, userspace MSR exits, and the run deadline.
 * Skipped, with the reason, where KVM cannot be used.
 */
class KvmSmokeTest {

    private static final long MEMORY_SIZE = 2 << 20;
    private static final int MSR_IA32_TSC = 0x10;
    private static final int MSR_IA32_APIC_BASE = 0x1b;
    private static final long APIC_BASE_ENABLE = 1L << 11;

    // 16-bit real-mode guest code, run with CS base 0
    private static final long LOOP = 0x1000;
    private static final byte[] JMP_SELF = {(byte) 0xeb, (byte) 0xfe};
    private static final long REPORT = 0x1010;
    private static final int REPORT_PORT = 0xf4;
    private static final byte[] MOV_EAX_42_OUT_F4 = {
        0x66, (byte) 0xb8, 0x42, 0, 0, 0,   // mov eax, 0x42
        0x66, (byte) 0xe7, (byte) 0xf4,     // out 0xf4, eax
        (byte) 0xeb, (byte) 0xfe,           // jmp .
    };
    private static final long MSR_ACCESSES = 0x1100;
    private static final byte[] RDMSR_OUT_WRMSR = {
        0x66, (byte) 0xb9, 0x10, 0, 0, 0,           // mov ecx, 0x10
        0x0f, 0x32,                                 // rdmsr
        0x66, (byte) 0xe7, (byte) 0xf4,             // out 0xf4, eax
        0x66, (byte) 0xb8, (byte) 0xad, (byte) 0xde, 0, 0,  // mov eax, 0xdead
        0x66, 0x31, (byte) 0xd2,                    // xor edx, edx
        0x0f, 0x30,                                 // wrmsr
        (byte) 0xeb, (byte) 0xfe,                   // jmp .
    };

    /** The exit of the snippet at REPORT: OUT of 0x42 to port 0xf4. */
    static final VcpuExit REPORTED = new VcpuExit.Io(true, REPORT_PORT, 4, 1, 0x42);

    @RegisterExtension
    static final KvmFixture KVM = new KvmFixture();



    @Test
    void systemIoctls() {
        assertThat(KVM.kvm().apiVersion()).isEqualTo(12);
        assertThat(KVM.kvm().checkExtension(KvmCap.KVM_CAP_IRQCHIP)).isPositive();
        assertThat(KVM.kvm().checkExtension(KvmCap.KVM_CAP_IMMEDIATE_EXIT)).isPositive();
        CpuidEntries cpuid = KVM.kvm().supportedCpuid();
        assertThat(cpuid.count()).isPositive();
        assertThat(cpuid.entry(0, 0)).hasValueSatisfying(leaf0 -> assertThat(leaf0.eax()).as("max basic leaf").isPositive());
        assertThat(cpuid.entry(0x7fff_0000, 0)).isEmpty();
        assertThat(KVM.kvm().msrIndexList()).contains(MSR_IA32_TSC);
    }

    @Test
    void vmWithMemoryAndVcpu() {
        try (KvmVm vm = KVM.kvm().createVm()) {
            vm.createIrqchip();
            GuestMemory memory = vm.mapMemory(MEMORY_SIZE);
            assertThat(memory.size()).isEqualTo(MEMORY_SIZE);
            KvmVcpu vcpu = vm.createVcpu(0);
            vcpu.setCpuid(KVM.kvm().supportedCpuid());

            Registers regs = new Registers(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 0x1000, 0x2);
            vcpu.setRegs(regs);
            assertThat(vcpu.getRegs()).isEqualTo(regs);

            SpecialRegisters sregs = vcpu.getSregs();
            assertThat(sregs.cs.selector()).as("reset CS").isEqualTo(0xf000);
            sregs.cs = new SpecialRegisters.Segment(0x10000, 0xffff, 0x1000, 11, 1, 0, 0, 1, 0, 0, 0, 0);
            vcpu.setSregs(sregs);
            assertThat(vcpu.getSregs().cs).isEqualTo(sregs.cs);

            assertThatThrownBy(() -> vm.createVcpu(0))
                    .isInstanceOf(KvmException.class).hasMessage("KVM_CREATE_VCPU failed: EEXIST (17)");
        }
    }

    @Test
    void hostMsrAccess() {
        try (KvmVm vm = KVM.kvm().createVm()) {
            vm.createIrqchip();
            KvmVcpu vcpu = vm.createVcpu(0);
            long[] values = new long[1];
            assertThat(vcpu.getMsrs(new int[] {MSR_IA32_APIC_BASE}, values)).isEqualTo(KvmResult.ofValue(1));
            assertThat(values[0] & APIC_BASE_ENABLE).as("IA32_APIC_BASE 0x%x has EN set", values[0]).isNotZero();
            assertThat(vcpu.setMsrs(new int[] {MSR_IA32_APIC_BASE}, values)).isEqualTo(KvmResult.ofValue(1));
            assertThat(vcpu.getMsrs(new int[0], new long[0])).isEqualTo(KvmResult.OK);
        }
    }

    @Test
    void msrFilterValidationReturnsErrno() {
        try (KvmVm vm = KVM.kvm().createVm()) {
            assumeTrue(vm.checkExtension(KvmCap.KVM_CAP_X86_MSR_FILTER) > 0, "no KVM_CAP_X86_MSR_FILTER");
            assertThat(vm.setMsrFilter(new MsrFilter(MsrFilter.DEFAULT_DENY, List.of())))
                    .as("DEFAULT_DENY without ranges").isEqualTo(KvmResult.ofErrno(Errno.EINVAL));
            assertThat(vm.setMsrFilter(new MsrFilter(0x80, List.of())))
                    .as("unknown filter flag").isEqualTo(KvmResult.ofErrno(Errno.EINVAL));
            assertThat(vm.setMsrFilter(new MsrFilter(MsrFilter.DEFAULT_DENY,
                    List.of(FilterRange.allowing(MsrFilter.RANGE_READ | MsrFilter.RANGE_WRITE, MSR_IA32_APIC_BASE, 1,
                            MSR_IA32_APIC_BASE)))))
                    .as("a valid filter").isEqualTo(KvmResult.OK);
            assertThat(vm.setMsrFilter(new MsrFilter(MsrFilter.DEFAULT_ALLOW,
                    List.of(new FilterRange(MsrFilter.RANGE_READ, 1, MSR_IA32_TSC, null)))))
                    .as("NULL bitmap").isEqualTo(KvmResult.ofErrno(Errno.EFAULT));
            assertThat(vm.setMsrFilterNullArgument()).as("NULL struct").isEqualTo(KvmResult.ofErrno(Errno.EFAULT));
            assertThat(vm.setMsrFilter(MsrFilter.allowAll())).isEqualTo(KvmResult.OK);
        }
    }

    @Test
    void deniedGuestMsrAccessesExitToUserspace() {
        try (KvmVm vm = KVM.kvm().createVm()) {
            KvmVcpu vcpu = realModeVcpu(vm, MSR_ACCESSES);
            assumeTrue(vm.checkExtension(KvmCap.KVM_CAP_X86_USER_SPACE_MSR) > 0, "no KVM_CAP_X86_USER_SPACE_MSR");
            assertThat(vm.enableCap(KvmCap.KVM_CAP_X86_USER_SPACE_MSR, ExitReason.FILTER.bit)).isEqualTo(KvmResult.OK);
            assertThat(vm.setMsrFilter(new MsrFilter(MsrFilter.DEFAULT_DENY,
                    List.of(FilterRange.allowing(MsrFilter.RANGE_READ, MSR_IA32_APIC_BASE, 1, MSR_IA32_APIC_BASE)))))
                    .isEqualTo(KvmResult.OK);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);

            assertThat(vcpu.run(deadline)).isEqualTo(new VcpuExit.Msr(false, ExitReason.FILTER.bit, MSR_IA32_TSC, 0));
            vcpu.completeMsrExit(0, 0x42);
            assertThat(vcpu.run(deadline)).isEqualTo(REPORTED);

            assertThat(vcpu.run(deadline)).isEqualTo(new VcpuExit.Msr(true, ExitReason.FILTER.bit, MSR_IA32_TSC, 0xdead));
            vcpu.completeMsrExit(0, 0xdead);

            assertThat(vcpu.run(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100)))
                    .as("the guest went on to its final loop").isEqualTo(new VcpuExit.Interrupted());
            assertThatThrownBy(() -> vm.enableCap(KvmCap.KVM_CAP_X86_USER_SPACE_MSR, 1, 2, 3, 4, 5))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void deadlineInterruptsAnEndlessGuestAndTheVcpuRunsOn() {
        try (KvmVm vm = KVM.kvm().createVm()) {
            KvmVcpu vcpu = realModeVcpu(vm, LOOP);
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
            assertThat(vcpu.run(deadline)).isEqualTo(new VcpuExit.Interrupted());
            long late = System.nanoTime() - deadline;
            assertThat(late).as("returned %d ms after the deadline", late / 1_000_000)
                    .isNotNegative().isLessThan(TimeUnit.SECONDS.toNanos(1));   // kicked at the deadline, give or take a loaded machine
            assertThat(vcpu.getRegs().rip()).as("still in the loop").isEqualTo(LOOP);

            vcpu.setRegs(vcpu.getRegs().withRip(REPORT));
            assertThat(vcpu.run(System.nanoTime() + TimeUnit.SECONDS.toNanos(5))).isEqualTo(REPORTED);
        }
    }

    @Test
    void aDeadlineAlreadyPastReturnsAtOnce() {
        try (KvmVm vm = KVM.kvm().createVm()) {
            KvmVcpu vcpu = realModeVcpu(vm, REPORT);
            long start = System.nanoTime();
            assertThat(vcpu.run(start - 1)).isEqualTo(new VcpuExit.Interrupted());
            // not a speed check: "at once" means it did not wait for any deadline (the guest's KVM may sit
            // behind an agent under TCG on a loaded machine); that the guest did not run is checked below
            assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(2));
            assertThat(vcpu.getRegs().rip()).as("the guest did not run").isEqualTo(REPORT);
            assertThat(vcpu.run(System.nanoTime() + TimeUnit.SECONDS.toNanos(5))).isEqualTo(REPORTED);
        }
    }

    @Test
    void aRunThatEndsBeforeItsDeadlineLeavesNoKickBehind() throws InterruptedException {
        try (KvmVm vm = KVM.kvm().createVm()) {
            KvmVcpu vcpu = realModeVcpu(vm, REPORT);
            assertThat(vcpu.run(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50))).isEqualTo(REPORTED);
            Thread.sleep(100);

            vcpu.setRegs(vcpu.getRegs().withRip(LOOP));
            long start = System.nanoTime();
            assertThat(vcpu.run(start + TimeUnit.MILLISECONDS.toNanos(300))).isEqualTo(new VcpuExit.Interrupted());
            assertThat(System.nanoTime() - start).as("interrupted by its own deadline, not the old one")
                    .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(300));
        }
    }

    /** A vCPU in real mode at {@code rip} (CS base 0), with the two code snippets in memory. */
    static KvmVcpu realModeVcpu(KvmVm vm, long rip) {
        vm.createIrqchip();
        GuestMemory memory = vm.mapMemory(MEMORY_SIZE);
        memory.write(LOOP, JMP_SELF);
        memory.write(REPORT, MOV_EAX_42_OUT_F4);
        memory.write(MSR_ACCESSES, RDMSR_OUT_WRMSR);
        KvmVcpu vcpu = vm.createVcpu(0);
        SpecialRegisters sregs = vcpu.getSregs();
        sregs.cs = new SpecialRegisters.Segment(0, 0xffff, 0, 11, 1, 0, 0, 1, 0, 0, 0, 0);
        vcpu.setSregs(sregs);
        vcpu.setRegs(Registers.zero().withRip(rip).withRflags(0x2));
        return vcpu;
    }

}
