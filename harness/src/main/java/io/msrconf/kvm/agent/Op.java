package io.msrconf.kvm.agent;

/** The agent's operations (guest-agent/PROTOCOL.md; enum op in msrconf-agent.c). */
final class Op {
    static final int HELLO = 1;
    static final int KVM_OPEN = 2;
    static final int GET_API_VERSION = 3;
    static final int CHECK_EXTENSION = 4;
    static final int GET_VCPU_MMAP_SIZE = 5;
    static final int GET_SUPPORTED_CPUID = 6;
    static final int GET_MSR_INDEX_LIST = 7;
    static final int CREATE_VM = 8;
    static final int CREATE_IRQCHIP = 9;
    static final int ENABLE_CAP = 10;
    static final int MAP_MEMORY = 11;
    static final int MEM_WRITE = 12;
    static final int MEM_READ = 13;
    static final int MEM_FILL = 14;
    static final int CREATE_VCPU = 15;
    static final int SET_MSR_FILTER = 16;
    static final int SET_MSR_FILTER_NULL = 17;
    static final int CLOSE = 18;
    static final int SET_CPUID = 19;
    static final int GET_REGS = 20;
    static final int SET_REGS = 21;
    static final int GET_SREGS = 22;
    static final int SET_SREGS = 23;
    static final int GET_MSRS = 24;
    static final int SET_MSRS = 25;
    static final int GET_LAPIC = 26;
    static final int SET_LAPIC = 27;
    static final int SET_MP_STATE = 28;
    static final int RUN = 29;
    static final int READ_FILE = 30;
    static final int LIST_DIR = 31;
    static final int WRITE_FILE = 32;
    static final int POWEROFF = 33;
    static final int XEN_HVM_CONFIG = 34;
    static final int RUN_PROGRAM = 35;
    /** RUN_PROGRAM's answer when the program ran past its timeout and was killed: -ETIMEDOUT (errno.h 110). */
    static final int PROGRAM_TIMED_OUT = -110;

    /** Bitmap placements of SET_MSR_FILTER. */
    static final int PLACE_NULL = 0;
    static final int PLACE_VALID = 1;
    static final int PLACE_SHORT = 2;
    static final int PLACE_UNMAPPED = 3;
    /** The pointer BitmapMemory.WILD_ADDRESS, nothing placed. */
    static final int PLACE_WILD = 4;

    private Op() {
    }
}
