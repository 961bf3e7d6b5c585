package io.msrconf.emu.model;

import static io.msrconf.abi.Msr.MSR_EFER;
import static io.msrconf.abi.Msr.MSR_IA32_APICBASE;
import static io.msrconf.abi.Msr.MSR_IA32_SYSENTER_CS;
import static io.msrconf.abi.Msr.MSR_IA32_SYSENTER_EIP;
import static io.msrconf.abi.Msr.MSR_IA32_SYSENTER_ESP;
import static io.msrconf.abi.Msr.MSR_IA32_TSC;
import static io.msrconf.abi.Msr.MSR_CSTAR;
import static io.msrconf.abi.Msr.MSR_LSTAR;
import static io.msrconf.abi.Msr.MSR_STAR;
import static io.msrconf.abi.Msr.MSR_SYSCALL_MASK;

import io.msrconf.abi.Msr;
import java.util.HashMap;
import java.util.Map;

/**
 * The MSRs of one vCPU as KVM handles them for the indexes the cases touch (kvm_get_msr_common /
 * kvm_set_msr_common and the vendor code), with KVM's return conventions: 0 = done, 1 = refused
 * (#GP, or an INVAL exit), {@link #RET_UNSUPPORTED} = an MSR KVM does not know (UNKNOWN exit).
 */
public final class MsrFileModel {

    /** arch/x86/kvm/msrs.h (x86.h before): KVM_MSR_RET_UNSUPPORTED, KVM_MSR_RET_FILTERED. */
    public static final int RET_UNSUPPORTED = 2;
    public static final int RET_FILTERED = 3;

    /** The result of a read or write: KVM's return code and, for a read, the value. */
    public record Access(int ret, long value) {
        static Access ok(long value) {
            return new Access(0, value);
        }

        static Access failed(int ret) {
            return new Access(ret, 0);
        }
    }

    private final LapicModel lapic;
    private final long efer;
    private final ModelProfile profile;
    private final java.util.Set<Mutation> mutations;
    private final Map<Integer, Long> stored = new HashMap<>();
    /**
     * Pass-through MSRs whose value the CPU decides: the guest wrote them directly, with bits a CPU may not
     * keep (kvm_amd on SYSENTER_EIP/ESP: "the processor only stores 32 bits"; QEMU's TCG CPU keeps 64).
     */
    private final java.util.Set<Integer> cpuDecided = new java.util.HashSet<>();
    private long tscReads;

    /** @param efer the EFER the harness set through KVM_SET_SREGS */
    public MsrFileModel(LapicModel lapic, long efer, ModelProfile profile, java.util.Set<Mutation> mutations) {
        this.mutations = mutations;
        this.lapic = lapic;
        this.efer = efer;
        this.profile = profile;
        // A new vCPU's SYSENTER and SYSCALL MSRs and KERNEL_GS_BASE are 0 (vmx_vcpu_reset/init_vmcb clear
        // them); FS_BASE and GS_BASE are the bases of FS and GS, which the harness's KVM_SET_SREGS loads
        // with GuestLayout's data segment, base 0 (svm_get_msr(): "msr_info->data = svm->vmcb01.ptr->save.fs.base").
        for (int msr : new int[] {MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP,
                MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SYSCALL_MASK, Msr.MSR_FS_BASE, Msr.MSR_GS_BASE, Msr.MSR_KERNEL_GS_BASE}) {
            stored.put(msr, 0L);
        }
    }

    /** FS and GS were loaded (KVM_SET_SREGS): their bases are FS_BASE and GS_BASE. */
    void segmentBasesLoaded(long fsBase, long gsBase) {
        stored.put(Msr.MSR_FS_BASE, fsBase);
        stored.put(Msr.MSR_GS_BASE, gsBase);
    }

    public LapicModel lapic() {
        return lapic;
    }

    /** {@code value} sign-extended from bit 47: the canonical form of a 48-bit virtual address. */
    static long canonical(long value) {
        return value << 16 >> 16;
    }

    /** Whether the CPU, not KVM, decides what {@code msr} reads now (see {@link #cpuDecided}). */
    boolean cpuDecides(int msr) {
        return cpuDecided.contains(msr);
    }

    public Access read(int msr) {
        if (Msr.isX2apic(msr)) {
            return lapic.x2apicRead(msr);
        }
        switch (msr) {
            case MSR_IA32_TSC:
                return Access.ok(tsc());
            case MSR_IA32_APICBASE:
                return Access.ok(lapic.apicBase());
            case MSR_EFER:
                return Access.ok(efer);
            default:
                if (stored.containsKey(msr)) {
                    return Access.ok(stored.get(msr));
                }
                return unknownOrLimitation(msr, "reads");
        }
    }

    /**
     * The guest TSC. A real vCPU's TSC starts at 0 when the vCPU is created (kvm_arch_vcpu_postcreate():
     * kvm_synchronize_tsc(vcpu, 0)) and counts while the harness sets the VM up, so a guest never reads 0;
     * the model has no clock, so each read returns the next value of 1, 2, 3, ...: increasing like a TSC
     * and never 0. That keeps "nonzero" true on both backends, and a filtered side-effect read, which
     * yields 0 (em_rdtsc()'s "u64 tsc = 0"), distinguishable from a real one. The cases check no other
     * property of the value (it counts time).
     */
    public long tsc() {
        return ++tscReads;
    }

    public int write(int msr, long value, boolean hostInitiated) {
        if (Msr.isX2apic(msr)) {
            return lapic.x2apicWrite(msr, value);
        }
        switch (msr) {
            case MSR_IA32_APICBASE:
                return lapic.setApicBase(value, hostInitiated);
            case MSR_IA32_TSC:
                return 0;
            case MSR_IA32_SYSENTER_CS:
                stored.put(msr, value & 0xffffffffL);   // a 32-bit field (VMX: GUEST_SYSENTER_CS)
                return 0;
            case MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP:
                if (!hostInitiated && profile.passesThroughToCpu(msr)) {
                    // The guest's WRMSR reaches the CPU: the model keeps what was written and knows whether a CPU may differ.
                    stored.put(msr, value);
                    if (value >>> 32 != 0) {
                        cpuDecided.add(msr);
                    } else {
                        cpuDecided.remove(msr);
                    }
                    return 0;
                }
                cpuDecided.remove(msr);
                // __kvm_set_msr() never refuses these: "Making the address canonical ensures that vmentry does not
                // fail on Intel after writing a non-canonical value" -- data = __canonical_address(data, 48 or 57
                // bits); with 4-level paging (the layout's) both sign-extend from bit 47 for a user value
                // whose bits 47..56 agree, and from bit 47 is what the model does. Then kvm_amd may keep 32 bits.
                long canonical = canonical(value);
                if (canonical != value && mutations.contains(Mutation.SYSENTER_NONCANONICAL_REFUSED)) {
                    return 1;
                }
                stored.put(msr, profile.sysenterKeepsLow32Bits() ? canonical & 0xffffffffL : canonical);
                return 0;
            case MSR_LSTAR, MSR_CSTAR, Msr.MSR_FS_BASE, Msr.MSR_GS_BASE, Msr.MSR_KERNEL_GS_BASE:
                // __kvm_set_msr(): "if (is_noncanonical_msr_address(data, vcpu)) return 1;" (48-bit VA)
                if (canonical(value) != value) {
                    return 1;
                }
                stored.put(msr, value);
                return 0;
            case MSR_STAR, MSR_SYSCALL_MASK:
                stored.put(msr, value);
                return 0;
            default:
                return unknownOrLimitation(msr, "writes").ret();
        }
    }

    /**
     * PMU MSRs KVM knows but does not support for the modelled vCPU, which has no vPMU features (no DS,
     * PDCM or PERFCTR_CORE; cases touching these MSRs require that with vcpu.cpuid-lacks):
     * IA32_PEBS_ENABLE, PEBS_DATA_CFG, IA32_DS_AREA and the AMD core counters MSR_F15H_PERF_CTL0..CTR5.
     * Since 2de154f541fc (6.3) they take kvm_get_msr_common()'s default path, "return
     * KVM_MSR_RET_UNSUPPORTED" (an UNKNOWN exit), like an MSR KVM does not know at all.
     */
    static boolean isUnsupportedPmuMsr(int msr) {
        return msr == 0x3f1 || msr == 0x3f2 || msr == 0x600 || isF15hPerfMsr(msr);
    }

    /** The AMD core performance counters MSR_F15H_PERF_CTL0..MSR_F15H_PERF_CTR5. */
    static boolean isF15hPerfMsr(int msr) {
        return msr >= 0xc0010200 && msr <= 0xc001020b;
    }

    /**
     * An index outside every range where architectural or paravirtual MSRs live is one KVM cannot know
     * (kvm_get_msr_common()'s default case: KVM_MSR_RET_UNSUPPORTED). Inside those ranges the model does
     * not guess: KVM may emulate an MSR there that the model does not.
     */
    private static Access unknownOrLimitation(int msr, String what) {
        if (isUnsupportedPmuMsr(msr)) {
            return Access.failed(RET_UNSUPPORTED);
        }
        long m = Integer.toUnsignedLong(msr);
        boolean architecturalRange = m < 0x2000 || m >= 0x40000000L && m < 0x40000200L
                || m >= 0x4b564d00L && m < 0x4b564e00L || m >= 0xc0000000L && m < 0xc0012000L;
        if (!architecturalRange) {
            return Access.failed(RET_UNSUPPORTED);
        }
        throw new ModelLimitation(String.format("the model does not emulate %s of MSR 0x%x", what, msr));
    }
}
