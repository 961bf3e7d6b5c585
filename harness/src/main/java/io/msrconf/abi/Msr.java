package io.msrconf.abi;

/**
 * The MSR indices msrconf names in code, spelled as arch/x86/include/asm/msr-index.h spells them,
 * and the few architectural facts about them every layer needs. One place: the harness, the model and
 * the generators all read them from here.
 */
public final class Msr {

    /** The time-stamp counter: its value counts time, so it is never compared between two runs. */
    public static final int MSR_IA32_TSC = 0x10;
    public static final int MSR_IA32_APICBASE = 0x1b;
    public static final int MSR_IA32_TSC_ADJUST = 0x3b;
    public static final int MSR_IA32_SYSENTER_CS = 0x174;
    public static final int MSR_IA32_SYSENTER_ESP = 0x175;
    public static final int MSR_IA32_SYSENTER_EIP = 0x176;
    public static final int MSR_EFER = 0xc0000080;
    public static final int MSR_STAR = 0xc0000081;
    public static final int MSR_LSTAR = 0xc0000082;
    public static final int MSR_CSTAR = 0xc0000083;
    public static final int MSR_SYSCALL_MASK = 0xc0000084;
    public static final int MSR_FS_BASE = 0xc0000100;
    public static final int MSR_GS_BASE = 0xc0000101;
    public static final int MSR_KERNEL_GS_BASE = 0xc0000102;

    /** The x2APIC register block (X2APIC_MSR_BASE .. +0xff): never filtered (kvm_msr_allowed()). */
    public static final int X2APIC_FIRST = 0x800;
    public static final int X2APIC_LAST = 0x8ff;

    /** IA32_APIC_BASE bits: BSP (8), EXTD = x2APIC mode (10), EN = APIC enabled (11); the default base. */
    public static final long APIC_BASE_BSP = 1L << 8;
    public static final long APIC_BASE_EXTD = 1L << 10;
    public static final long APIC_BASE_ENABLE = 1L << 11;
    public static final long APIC_DEFAULT_BASE = 0xfee00000L;
    /** IA32_APIC_BASE of a BSP with its local APIC in x2APIC mode: what a case's {@code x2apic: true} sets. */
    public static final long APIC_BASE_X2APIC_BSP = APIC_DEFAULT_BASE | APIC_BASE_BSP | APIC_BASE_ENABLE | APIC_BASE_EXTD;

    private Msr() {
    }

    public static boolean isX2apic(int index) {
        return Integer.compareUnsigned(index, X2APIC_FIRST) >= 0 && Integer.compareUnsigned(index, X2APIC_LAST) <= 0;
    }
}
