package io.msrconf.guest;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The one owner of the guest physical memory layout and the 64-bit start state. Both backends build
 * the guest from here, so they start from the same bytes and registers. The addresses mirror
 * guest-payloads/src/main/asm/abi.inc; GuestLayoutTest checks them against the assembled symbols.
 *
 * <pre>
 * 0x01000 PML4    0x02000 PDPT    0x03000 PD (one 2 MiB page: identity map of guest memory)
 * 0x04000 GDT     0x05000 IDT     0x06000 TSS
 * 0x10000 payload (at most 64 KiB)
 * 0x20000 MSR script table of vCPU 0 (header + entries, up to 0x40000)
 * 0x80000 initial stack top of vCPU 0 (grows down); vCPU k's is 0x10000 * k below
 * 0x80000 MSR script table of vCPU 1, 0xa0000 of vCPU 2, 0xc0000 of vCPU 3 (each as large as vCPU 0's)
 * </pre>
 * Every vCPU runs the same payload on the same system tables; each has its own script table (its
 * address is in RDI at entry) and stack.
 */
public final class GuestLayout {

    public static final long MEMORY_SIZE = 2L << 20;

    public static final long PML4 = 0x1000;
    public static final long PDPT = 0x2000;
    public static final long PD = 0x3000;
    public static final long GDT = 0x4000;
    public static final long IDT = 0x5000;
    public static final long TSS = 0x6000;
    public static final long SYSTEM_TABLES_START = PML4;
    public static final long SYSTEM_TABLES_END = TSS + 0x1000;

    public static final long PAYLOAD_BASE = 0x10000;
    public static final int PAYLOAD_MAX_SIZE = 0x10000;
    public static final long SCRIPT_TABLE = 0x20000;
    public static final long SCRIPT_TABLE_END = 0x40000;
    public static final long STACK_TOP = 0x80000;
    /** The vCPUs a case can have: each needs its own script table and stack in the 2 MiB. */
    public static final int MAX_VCPUS = 4;
    private static final long STACK_SPACING = 0x10000;
    public static final int REPORT_PORT = 0xf4;
    public static final int REPORT_DONE = 1;
    public static final int REPORT_UNEXPECTED = 2;

    public static final int CODE_SELECTOR = 0x08;
    public static final int DATA_SELECTOR = 0x10;
    public static final int TSS_SELECTOR = 0x18;
    public static final int GDT_LIMIT = 5 * 8 - 1;      // null, code, data, 16-byte TSS descriptor
    public static final int IDT_LIMIT = 256 * 16 - 1;
    public static final int TSS_LIMIT = 0x67;

    // CR0: PE | MP | ET | NE | WP | AM | PG; CR4: PAE | OSFXSR | OSXMMEXCPT; EFER: LME | LMA.
    public static final long CR0 = 0x80050033L;
    public static final long CR4 = 0x620L;
    public static final long EFER = 0x500L;
    public static final long RFLAGS = 0x2L;              // IF = 0: no interrupt can reach the payload

    private static final long PTE_PRESENT_WRITABLE = 0x3;
    private static final long PDE_LARGE_PAGE = 0x80;
    private static final int IDT_GATE_INTERRUPT_PRESENT = 0x8e;

    private GuestLayout() {
    }

    /** The bytes of [SYSTEM_TABLES_START, SYSTEM_TABLES_END): page tables, GDT, IDT (gates to the payload's stubs), TSS. */
    public static byte[] systemTables(Payload payload) {
        ByteBuffer b = ByteBuffer.allocate((int) (SYSTEM_TABLES_END - SYSTEM_TABLES_START)).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(off(PML4), PDPT | PTE_PRESENT_WRITABLE);
        b.putLong(off(PDPT), PD | PTE_PRESENT_WRITABLE);
        b.putLong(off(PD), PTE_PRESENT_WRITABLE | PDE_LARGE_PAGE);   // 0..2 MiB; anything above faults with #PF

        b.putLong(off(GDT) + CODE_SELECTOR, 0x00af9b000000ffffL);    // 64-bit code, DPL 0, present
        b.putLong(off(GDT) + DATA_SELECTOR, 0x00cf93000000ffffL);    // data, writable, present
        b.putLong(off(GDT) + TSS_SELECTOR, TSS_LIMIT | (TSS & 0xffffff) << 16 | 0x8bL << 40 | (TSS >>> 24 & 0xff) << 56);
        b.putLong(off(GDT) + TSS_SELECTOR + 8, TSS >>> 32);

        for (int vector = 0; vector < payload.stubCount(); vector++) {
            long handler = payload.stubAddress(vector);
            int gate = off(IDT) + vector * 16;
            b.putLong(gate, (handler & 0xffff) | (long) CODE_SELECTOR << 16 | (long) IDT_GATE_INTERRUPT_PRESENT << 40
                    | (handler >>> 16 & 0xffff) << 48);
            b.putLong(gate + 8, handler >>> 32);
        }
        return b.array();
    }

    private static int off(long gpa) {
        return (int) (gpa - SYSTEM_TABLES_START);
    }

    /** Where vCPU {@code vcpu}'s script table lies: vCPU 0's at {@link #SCRIPT_TABLE}, the others' above the stacks. */
    public static long scriptTable(int vcpu) {
        checkVcpu(vcpu);
        return vcpu == 0 ? SCRIPT_TABLE : STACK_TOP + (vcpu - 1) * (SCRIPT_TABLE_END - SCRIPT_TABLE);
    }

    /** vCPU {@code vcpu}'s initial stack top: each stack has 64 KiB, far more than the payload uses. */
    public static long stackTop(int vcpu) {
        checkVcpu(vcpu);
        return STACK_TOP - vcpu * STACK_SPACING;
    }

    private static void checkVcpu(int vcpu) {
        if (vcpu < 0 || vcpu >= MAX_VCPUS) {
            throw new IllegalArgumentException("vCPU " + vcpu + " is outside 0.." + (MAX_VCPUS - 1));
        }
    }

    /** vCPU 0's start state. */
    public static StartState startState(Payload payload) {
        return startState(payload, 0);
    }

    /**
     * The registers the payload starts with on vCPU {@code vcpu}: 64-bit mode, CPL 0, flat segments, IF = 0,
     * RSP at its stack and RDI its script table.
     */
    public static StartState startState(Payload payload, int vcpu) {
        Segment code = new Segment(0, 0xffffffff, CODE_SELECTOR, 11, true, 0, false, true, true, true);
        Segment data = new Segment(0, 0xffffffff, DATA_SELECTOR, 3, true, 0, true, true, false, true);
        Segment tss = new Segment(TSS, TSS_LIMIT, TSS_SELECTOR, 11, true, 0, false, false, false, false);
        return new StartState(code, data, tss, GDT, GDT_LIMIT, IDT, IDT_LIMIT, CR0, PML4, CR4, EFER,
                payload.entryAddress(), stackTop(vcpu), RFLAGS, scriptTable(vcpu));
    }

    /** A segment register as KVM's struct kvm_segment describes it. */
    public record Segment(long base, int limit, int selector, int type, boolean present, int dpl, boolean db,
                          boolean s, boolean l, boolean g) {
    }

    /** The complete initial CPU state; ES, FS, GS and SS are {@code data}. */
    public record StartState(Segment cs, Segment data, Segment tr, long gdtBase, int gdtLimit, long idtBase,
                             int idtLimit, long cr0, long cr3, long cr4, long efer, long rip, long rsp, long rflags,
                             long rdi) {
    }
}
