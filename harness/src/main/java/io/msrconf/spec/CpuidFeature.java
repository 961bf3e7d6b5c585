package io.msrconf.spec;

/**
 * CPUID feature bits a case can require the vCPU to lack ({@code vcpu: { cpuid-lacks: [...] }}): the
 * harness gives the vCPU exactly what KVM_GET_SUPPORTED_CPUID returns, so whether KVM supports an MSR
 * for the vCPU can depend on the host. A case whose MSRs would be supported with one of these bits is
 * skipped, with the reason, where KVM reports it.
 */
public enum CpuidFeature {
    /** CPUID.1:EDX[21]: debug store; IA32_DS_AREA is valid for the vCPU with it (Intel vPMU). */
    DS(0x1, Register.EDX, 21),
    /** CPUID.1:ECX[15]: IA32_PERF_CAPABILITIES; PEBS (IA32_PEBS_ENABLE) is only offered through it. */
    PDCM(0x1, Register.ECX, 15),
    /** CPUID.80000001H:ECX[23]: the AMD core performance counters at MSR_F15H_PERF_CTL0..CTR5. */
    PERFCTR_CORE(0x80000001, Register.ECX, 23);

    public enum Register { EAX, EBX, ECX, EDX }

    public final int function;
    public final Register register;
    public final int bit;

    CpuidFeature(int function, Register register, int bit) {
        this.function = function;
        this.register = register;
        this.bit = bit;
    }

    public String describe() {
        return String.format("%s (CPUID.%XH:%s[%d])", name(), function, register, bit);
    }
}
