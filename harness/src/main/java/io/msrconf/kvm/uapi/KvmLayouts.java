package io.msrconf.kvm.uapi;

/**
 * Sizes and byte offsets of the kernel (and glibc) structs the binding marshals by hand, x86-64.
 * One nested class per C struct, named after it; {@code SIZE} is {@code sizeof}, for structs with a
 * flexible array the size of the header before it. UapiLayoutTest compares every value with the
 * system headers.
 */
public final class KvmLayouts {

    private KvmLayouts() {
    }

    /** {@code struct kvm_run}: the fields the harness uses; the exit union starts at 32. */
    public static final class Run {
        public static final int IMMEDIATE_EXIT = 1;
        public static final int EXIT_REASON = 8;
        public static final int HW_HARDWARE_EXIT_REASON = 32;
        public static final int FAIL_ENTRY_HARDWARE_ENTRY_FAILURE_REASON = 32;
        public static final int FAIL_ENTRY_CPU = 40;
        public static final int IO_DIRECTION = 32;
        public static final int IO_SIZE = 33;
        public static final int IO_PORT = 34;
        public static final int IO_COUNT = 36;
        public static final int IO_DATA_OFFSET = 40;
        public static final int MMIO_PHYS_ADDR = 32;
        public static final int MMIO_LEN = 48;
        public static final int MMIO_IS_WRITE = 52;
        public static final int MSR_ERROR = 32;
        public static final int MSR_REASON = 40;
        public static final int MSR_INDEX = 44;
        public static final int MSR_DATA = 48;
        public static final int INTERNAL_SUBERROR = 32;
        public static final int INTERNAL_NDATA = 36;
        public static final int INTERNAL_DATA = 40;
        public static final int INTERNAL_DATA_LENGTH = 16;

        private Run() {
        }
    }

    /** {@code struct kvm_regs}: 18 u64 registers, rax rbx rcx rdx rsi rdi rsp rbp r8-r15 rip rflags. */
    public static final class Regs {
        public static final int SIZE = 144;
        public static final int COUNT = 18;

        private Regs() {
        }
    }

    /** {@code struct kvm_segment}. */
    public static final class Segment {
        public static final int SIZE = 24;
        public static final int BASE = 0;
        public static final int LIMIT = 8;
        public static final int SELECTOR = 12;
        public static final int TYPE = 14;
        public static final int PRESENT = 15;
        public static final int DPL = 16;
        public static final int DB = 17;
        public static final int S = 18;
        public static final int L = 19;
        public static final int G = 20;
        public static final int AVL = 21;
        public static final int UNUSABLE = 22;

        private Segment() {
        }
    }

    /** {@code struct kvm_dtable}. */
    public static final class Dtable {
        public static final int SIZE = 16;
        public static final int BASE = 0;
        public static final int LIMIT = 8;

        private Dtable() {
        }
    }

    /** {@code struct kvm_sregs}. */
    public static final class Sregs {
        public static final int SIZE = 312;
        public static final int CS = 0;
        public static final int DS = 24;
        public static final int ES = 48;
        public static final int FS = 72;
        public static final int GS = 96;
        public static final int SS = 120;
        public static final int TR = 144;
        public static final int LDT = 168;
        public static final int GDT = 192;
        public static final int IDT = 208;
        public static final int CR0 = 224;
        public static final int CR2 = 232;
        public static final int CR3 = 240;
        public static final int CR4 = 248;
        public static final int CR8 = 256;
        public static final int EFER = 264;
        public static final int APIC_BASE = 272;
        public static final int INTERRUPT_BITMAP = 280;
        public static final int INTERRUPT_BITMAP_LENGTH = 4;

        private Sregs() {
        }
    }

    /** {@code struct kvm_msrs}, followed by {@code nmsrs} {@link MsrEntry}s. */
    public static final class Msrs {
        public static final int SIZE = 8;
        public static final int NMSRS = 0;
        public static final int ENTRIES = 8;

        private Msrs() {
        }
    }

    /** {@code struct kvm_msr_entry}. */
    public static final class MsrEntry {
        public static final int SIZE = 16;
        public static final int INDEX = 0;
        public static final int DATA = 8;

        private MsrEntry() {
        }
    }

    /** {@code struct kvm_msr_list}, followed by {@code nmsrs} u32 indices. */
    public static final class MsrList {
        public static final int SIZE = 4;
        public static final int NMSRS = 0;
        public static final int INDICES = 4;

        private MsrList() {
        }
    }

    /** {@code struct kvm_cpuid2}, followed by {@code nent} {@link CpuidEntry2}s. */
    public static final class Cpuid2 {
        public static final int SIZE = 8;
        public static final int NENT = 0;
        public static final int ENTRIES = 8;

        private Cpuid2() {
        }
    }

    /** {@code struct kvm_cpuid_entry2}. */
    public static final class CpuidEntry2 {
        public static final int SIZE = 40;
        public static final int FUNCTION = 0;
        public static final int INDEX = 4;
        public static final int FLAGS = 8;
        public static final int EAX = 12;
        public static final int EBX = 16;
        public static final int ECX = 20;
        public static final int EDX = 24;

        private CpuidEntry2() {
        }
    }

    /** {@code struct kvm_userspace_memory_region}. */
    public static final class UserspaceMemoryRegion {
        public static final int SIZE = 32;
        public static final int SLOT = 0;
        public static final int FLAGS = 4;
        public static final int GUEST_PHYS_ADDR = 8;
        public static final int MEMORY_SIZE = 16;
        public static final int USERSPACE_ADDR = 24;

        private UserspaceMemoryRegion() {
        }
    }

    /** {@code struct kvm_enable_cap}. */
    public static final class EnableCap {
        public static final int SIZE = 104;
        public static final int CAP = 0;
        public static final int FLAGS = 4;
        public static final int ARGS = 8;
        public static final int ARGS_LENGTH = 4;

        private EnableCap() {
        }
    }

    /** {@code struct kvm_xen_hvm_config}: the Xen hypercall-page MSR and the blobs it copies from. */
    public static final class XenHvmConfig {
        public static final int SIZE = 56;
        public static final int FLAGS = 0;
        public static final int MSR = 4;
        public static final int BLOB_ADDR_32 = 8;
        public static final int BLOB_ADDR_64 = 16;
        public static final int BLOB_SIZE_32 = 24;
        public static final int BLOB_SIZE_64 = 25;

        private XenHvmConfig() {
        }
    }

    /** {@code struct kvm_msr_filter}: flags, then 16 {@link MsrFilterRange}s. */
    public static final class MsrFilter {
        public static final int SIZE = 392;
        public static final int FLAGS = 0;
        public static final int RANGES = 8;

        private MsrFilter() {
        }
    }

    /** {@code struct kvm_msr_filter_range}. */
    public static final class MsrFilterRange {
        public static final int SIZE = 24;
        public static final int FLAGS = 0;
        public static final int NMSRS = 4;
        public static final int BASE = 8;
        public static final int BITMAP = 16;

        private MsrFilterRange() {
        }
    }

    /** glibc's {@code struct sigaction} on x86-64 (not the kernel's: we call glibc's sigaction). */
    public static final class Sigaction {
        public static final int SIZE = 152;
        public static final int HANDLER = 0;
        public static final int MASK = 8;
        public static final int FLAGS = 136;
        public static final int RESTORER = 144;

        private Sigaction() {
        }
    }
}
