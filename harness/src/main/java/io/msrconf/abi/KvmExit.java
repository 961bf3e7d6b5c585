package io.msrconf.abi;

/**
 * Why KVM_RUN returned to userspace: {@code kvm_run.exit_reason} ({@code KVM_EXIT_*} of
 * {@code <linux/kvm.h>}), and the direction of an I/O exit. Named exactly as in the header
 * (UapiLayoutTest checks every value).
 */
public final class KvmExit {

    public static final int KVM_EXIT_UNKNOWN = 0;
    public static final int KVM_EXIT_EXCEPTION = 1;
    public static final int KVM_EXIT_IO = 2;
    public static final int KVM_EXIT_HYPERCALL = 3;
    public static final int KVM_EXIT_DEBUG = 4;
    public static final int KVM_EXIT_HLT = 5;
    public static final int KVM_EXIT_MMIO = 6;
    public static final int KVM_EXIT_IRQ_WINDOW_OPEN = 7;
    public static final int KVM_EXIT_SHUTDOWN = 8;
    public static final int KVM_EXIT_FAIL_ENTRY = 9;
    public static final int KVM_EXIT_INTR = 10;
    public static final int KVM_EXIT_SET_TPR = 11;
    public static final int KVM_EXIT_TPR_ACCESS = 12;
    public static final int KVM_EXIT_S390_SIEIC = 13;
    public static final int KVM_EXIT_S390_RESET = 14;
    public static final int KVM_EXIT_DCR = 15;
    public static final int KVM_EXIT_NMI = 16;
    public static final int KVM_EXIT_INTERNAL_ERROR = 17;
    public static final int KVM_EXIT_OSI = 18;
    public static final int KVM_EXIT_PAPR_HCALL = 19;
    public static final int KVM_EXIT_S390_UCONTROL = 20;
    public static final int KVM_EXIT_WATCHDOG = 21;
    public static final int KVM_EXIT_S390_TSCH = 22;
    public static final int KVM_EXIT_EPR = 23;
    public static final int KVM_EXIT_SYSTEM_EVENT = 24;
    public static final int KVM_EXIT_S390_STSI = 25;
    public static final int KVM_EXIT_IOAPIC_EOI = 26;
    public static final int KVM_EXIT_HYPERV = 27;
    public static final int KVM_EXIT_ARM_NISV = 28;
    public static final int KVM_EXIT_X86_RDMSR = 29;
    public static final int KVM_EXIT_X86_WRMSR = 30;
    public static final int KVM_EXIT_DIRTY_RING_FULL = 31;
    public static final int KVM_EXIT_AP_RESET_HOLD = 32;
    public static final int KVM_EXIT_X86_BUS_LOCK = 33;
    public static final int KVM_EXIT_XEN = 34;
    public static final int KVM_EXIT_RISCV_SBI = 35;
    public static final int KVM_EXIT_RISCV_CSR = 36;
    public static final int KVM_EXIT_NOTIFY = 37;

    /** Indexed by exit reason, in the order of the constants above. */
    private static final String[] EXIT_NAMES = {
        "UNKNOWN", "EXCEPTION", "IO", "HYPERCALL", "DEBUG", "HLT", "MMIO", "IRQ_WINDOW_OPEN", "SHUTDOWN",
        "FAIL_ENTRY", "INTR", "SET_TPR", "TPR_ACCESS", "S390_SIEIC", "S390_RESET", "DCR", "NMI",
        "INTERNAL_ERROR", "OSI", "PAPR_HCALL", "S390_UCONTROL", "WATCHDOG", "S390_TSCH", "EPR",
        "SYSTEM_EVENT", "S390_STSI", "IOAPIC_EOI", "HYPERV", "ARM_NISV", "X86_RDMSR", "X86_WRMSR",
        "DIRTY_RING_FULL", "AP_RESET_HOLD", "X86_BUS_LOCK", "XEN", "RISCV_SBI", "RISCV_CSR", "NOTIFY",
    };

    public static final int KVM_EXIT_IO_IN = 0;
    public static final int KVM_EXIT_IO_OUT = 1;

    private KvmExit() {
    }

    /** "KVM_EXIT_IO" for 2; reasons newer than this table come back as "KVM_EXIT_? (n)". */
    public static String name(int exitReason) {
        return exitReason >= 0 && exitReason < EXIT_NAMES.length
                ? "KVM_EXIT_" + EXIT_NAMES[exitReason]
                : "KVM_EXIT_? (" + Integer.toUnsignedString(exitReason) + ")";
    }
}
