package io.msrconf.spec;

/**
 * What one script entry makes the guest execute. The codes are the script table's ENT_OP values
 * (guest ABI, abi.inc OP_*).
 *
 * <p>The forced-emulation kinds put KVM's forced-emulation prefix ({@code ud2; .ascii "kvm"}) before
 * the instruction, so that KVM's instruction emulator runs it (kvm.force_emulation_prefix=1, x86.c
 * handle_ud()); without that module parameter the prefix's UD2 raises #UD.
 */
public enum MsrOp {
    RDMSR(1),
    WRMSR(2),
    /** RDMSR run by KVM's instruction emulator (em_rdmsr): filtered, and may exit to userspace, like RDMSR. */
    FEP_RDMSR(3),
    /**
     * RDTSC run by KVM's instruction emulator (em_rdtsc), which reads MSR_IA32_TSC (0x10) as a side
     * effect; the entry records EDX:EAX. Its {@code index} is always 0x10, the MSR read.
     */
    FEP_RDTSC(4),
    /** WRMSR run by KVM's instruction emulator (em_wrmsr): filtered, and may exit to userspace, like WRMSR. */
    FEP_WRMSR(5);

    public final int scriptCode;

    MsrOp(int scriptCode) {
        this.scriptCode = scriptCode;
    }

    /** Whether the guest records a value read (EDX:EAX) for this kind. */
    public boolean readsValue() {
        return !writes();
    }

    /** Whether the entry writes its value (EDX:EAX) to the MSR. */
    public boolean writes() {
        return this == WRMSR || this == FEP_WRMSR;
    }

    /** Whether the entry runs behind KVM's forced-emulation prefix. */
    public boolean forcedEmulation() {
        return this == FEP_RDMSR || this == FEP_RDTSC || this == FEP_WRMSR;
    }

    /** The KVM_EXIT_X86_RDMSR/WRMSR kind an exit of this access has: WRMSR for WRMSR, else RDMSR. */
    public MsrOp exitOp() {
        return writes() ? WRMSR : RDMSR;
    }
}
