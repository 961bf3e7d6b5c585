package io.msrconf.kvm.sys;

/**
 * ioctl request numbers and constants of the KVM API ({@code <linux/kvm.h>}, x86
 * {@code <asm/kvm.h>}). Request numbers are computed the way the kernel's {@code _IO*} macros
 * compute them, from the struct sizes in {@link KvmLayouts}; UapiLayoutTest checks every value here
 * against the system header.
 */
public final class KvmIoctls {

    /** The only API version there has ever been; userspace must refuse any other. */
    public static final int KVM_API_VERSION = 12;

    public static final int KVMIO = 0xAE;

    // <asm-generic/ioctl.h>: dir in bits 30-31, size in 16-29, type in 8-15, nr in 0-7
    private static final int IOC_NONE = 0;
    private static final int IOC_WRITE = 1;
    private static final int IOC_READ = 2;

    public static long ioc(int dir, int type, int nr, int size) {
        return (long) dir << 30 | (long) size << 16 | (long) type << 8 | nr;
    }

    public static long io(int nr) {
        return ioc(IOC_NONE, KVMIO, nr, 0);
    }

    public static long ior(int nr, int size) {
        return ioc(IOC_READ, KVMIO, nr, size);
    }

    public static long iow(int nr, int size) {
        return ioc(IOC_WRITE, KVMIO, nr, size);
    }

    public static long iowr(int nr, int size) {
        return ioc(IOC_READ | IOC_WRITE, KVMIO, nr, size);
    }

    // system ioctls (on /dev/kvm)
    public static final long KVM_GET_API_VERSION = io(0x00);
    public static final long KVM_CREATE_VM = io(0x01);
    public static final long KVM_GET_MSR_INDEX_LIST = iowr(0x02, KvmLayouts.MsrList.SIZE);
    public static final long KVM_CHECK_EXTENSION = io(0x03);
    public static final long KVM_GET_VCPU_MMAP_SIZE = io(0x04);
    public static final long KVM_GET_SUPPORTED_CPUID = iowr(0x05, KvmLayouts.Cpuid2.SIZE);

    // VM ioctls
    public static final long KVM_CREATE_VCPU = io(0x41);
    public static final long KVM_SET_USER_MEMORY_REGION = iow(0x46, KvmLayouts.UserspaceMemoryRegion.SIZE);
    public static final long KVM_CREATE_IRQCHIP = io(0x60);
    public static final long KVM_ENABLE_CAP = iow(0xa3, KvmLayouts.EnableCap.SIZE);
    public static final long KVM_X86_SET_MSR_FILTER = iow(0xc6, KvmLayouts.MsrFilter.SIZE);

    // vCPU ioctls
    public static final long KVM_RUN = io(0x80);
    public static final long KVM_GET_REGS = ior(0x81, KvmLayouts.Regs.SIZE);
    public static final long KVM_SET_REGS = iow(0x82, KvmLayouts.Regs.SIZE);
    public static final long KVM_GET_SREGS = ior(0x83, KvmLayouts.Sregs.SIZE);
    public static final long KVM_SET_SREGS = iow(0x84, KvmLayouts.Sregs.SIZE);
    public static final long KVM_GET_MSRS = iowr(0x88, KvmLayouts.Msrs.SIZE);
    public static final long KVM_SET_MSRS = iow(0x89, KvmLayouts.Msrs.SIZE);
    public static final long KVM_SET_CPUID2 = iow(0x90, KvmLayouts.Cpuid2.SIZE);
    /** {@code struct kvm_lapic_state} is {@code char regs[KVM_APIC_REG_SIZE]}: the whole local APIC register page. */
    public static final int KVM_APIC_REG_SIZE = 0x400;
    public static final long KVM_GET_LAPIC = ior(0x8e, KVM_APIC_REG_SIZE);
    public static final long KVM_SET_LAPIC = iow(0x8f, KVM_APIC_REG_SIZE);

    // capabilities (KVM_CHECK_EXTENSION, KVM_ENABLE_CAP)
    public static final int KVM_CAP_IRQCHIP = 0;
    public static final int KVM_CAP_EXT_CPUID = 7;
    public static final int KVM_CAP_IMMEDIATE_EXIT = 136;
    public static final int KVM_CAP_X86_USER_SPACE_MSR = 188;
    public static final int KVM_CAP_X86_MSR_FILTER = 189;

    // kvm_run.exit_reason
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

    // kvm_run.io.direction
    public static final int KVM_EXIT_IO_IN = 0;
    public static final int KVM_EXIT_IO_OUT = 1;

    // kvm_run.msr.reason, and the bits of KVM_ENABLE_CAP(KVM_CAP_X86_USER_SPACE_MSR)
    public static final int KVM_MSR_EXIT_REASON_INVAL = 1;
    public static final int KVM_MSR_EXIT_REASON_UNKNOWN = 2;
    public static final int KVM_MSR_EXIT_REASON_FILTER = 4;

    /** kvm_cpuid_entry2.flags: the entry applies to one subleaf only (the header spells it SIGNIFCANT). */
    public static final int KVM_CPUID_FLAG_SIGNIFCANT_INDEX = 1;

    private KvmIoctls() {
    }

    /** "KVM_EXIT_IO" for 2; reasons newer than this table come back as "KVM_EXIT_? (n)". */
    public static String exitReasonName(int exitReason) {
        return exitReason >= 0 && exitReason < EXIT_NAMES.length
                ? "KVM_EXIT_" + EXIT_NAMES[exitReason]
                : "KVM_EXIT_? (" + Integer.toUnsignedString(exitReason) + ")";
    }
}
