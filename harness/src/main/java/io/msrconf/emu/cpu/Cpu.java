package io.msrconf.emu.cpu;

import io.msrconf.guest.GuestLayout;
import io.msrconf.vcpu.VcpuExit;

/**
 * One emulated x86-64 vCPU: its architectural state and {@link #run}, which executes guest code from
 * guest memory until something KVM_RUN would return for (an I/O or MSR exit, a shutdown, ...).
 *
 * <p>The CPU runs in 64-bit mode at CPL 0 only, with 4-level paging; {@link #fromStartState} refuses
 * any other start state. Exceptions are delivered through the guest's IDT as the hardware does (see
 * {@link ExceptionDelivery}). Exits that suspend an instruction (OUT, IN, a userspace MSR exit) leave
 * RIP at it, as KVM does; the next {@code run} completes it first, from {@link #completePortIn} or
 * {@link #completeMsrExit} for IN and MSR exits.
 *
 * <p>Not thread-safe: one thread runs a CPU, as one thread owns a vCPU fd.
 */
public final class Cpu {

    public static final int RAX = 0;
    public static final int RCX = 1;
    public static final int RDX = 2;
    public static final int RBX = 3;
    public static final int RSP = 4;
    public static final int RBP = 5;
    public static final int RSI = 6;
    public static final int RDI = 7;

    static final long CR0_PE = 1L;
    static final long CR0_WP = 1L << 16;
    static final long CR0_PG = 1L << 31;
    static final long CR4_PAE = 1L << 5;
    static final long CR4_LA57 = 1L << 12;
    static final long CR4_SMEP = 1L << 20;
    static final long CR4_SMAP = 1L << 21;
    static final long CR4_PKE = 1L << 22;
    static final long EFER_LME = 1L << 8;
    static final long EFER_LMA = 1L << 10;
    static final long EFER_NXE = 1L << 11;

    private static final String[] REGISTER_NAMES = {
        "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
    };
    /** kvm_regs order, which Registers.describe() prints: rax rbx rcx rdx rsi rdi rsp rbp r8..r15. */
    private static final int[] KVM_REGS_ORDER = {RAX, RBX, RCX, RDX, RSI, RDI, RSP, RBP, 8, 9, 10, 11, 12, 13, 14, 15};

    /** A segment register with its descriptor cache, field for field as KVM's struct kvm_segment. */
    public record Segment(int selector, long base, int limit, int type, boolean present, int dpl, boolean db,
                          boolean s, boolean l, boolean g, boolean avl, boolean unusable) {

        static Segment of(GuestLayout.Segment s) {
            return new Segment(s.selector(), s.base(), s.limit(), s.type(), s.present(), s.dpl(), s.db(), s.s(), s.l(),
                    s.g(), false, false);
        }

        /** A null selector, as loaded into SS by an IRETQ to 64-bit mode. */
        static Segment nullSelector(int selector) {
            return new Segment(selector, 0, 0, 0, false, 0, false, false, false, false, false, true);
        }

        /** In the format of SpecialRegisters.Segment.describe(). */
        public String describe() {
            return String.format("sel=0x%04x base=0x%016x limit=0x%08x type=%d p=%d dpl=%d db=%d s=%d l=%d g=%d avl=%d unusable=%d",
                    selector, base, limit, type, bit(present), dpl, bit(db), bit(s), bit(l), bit(g), bit(avl), bit(unusable));
        }

        private static int bit(boolean b) {
            return b ? 1 : 0;
        }
    }

    /** What an exit left for the next run to finish. */
    enum Pending {
        NONE, PORT_OUT, PORT_IN, MSR_READ, MSR_WRITE
    }

    final long[] regs = new long[16];
    long rip;
    long rflags;
    Segment cs;
    Segment ds;
    Segment es;
    Segment fs;
    Segment gs;
    Segment ss;
    Segment tr;
    long gdtBase;
    int gdtLimit;
    long idtBase;
    int idtLimit;
    long cr0;
    long cr2;
    long cr3;
    long cr4;
    long efer;

    Pending pending = Pending.NONE;
    /** RIP of the suspended instruction and its length. */
    long pendingRip;
    int pendingLength;
    int pendingSize;
    int completionError;
    long completionData;

    /** Why the CPU shut down; non-null once it has (it then never runs again, like a shut-down vCPU). */
    String shutdown;
    long instructionCount;

    private Interpreter interpreter;

    private Cpu() {
    }

    /**
     * The CPU as KVM_SET_SREGS and KVM_SET_REGS leave it for this start state: segments, descriptor
     * tables, control registers and EFER from the state, RIP, RSP and RFLAGS from it, other GPRs zero.
     *
     * @throws IllegalArgumentException for a state outside what this CPU runs (64-bit mode at CPL 0 with
     *         4-level paging, no SMEP, SMAP or protection keys)
     */
    public static Cpu fromStartState(GuestLayout.StartState s) {
        long needCr0 = CR0_PE | CR0_PG;
        require((s.cr0() & needCr0) == needCr0, "CR0 0x%x: PE and PG must be set", s.cr0());
        require((s.cr4() & CR4_PAE) != 0 && (s.cr4() & (CR4_LA57 | CR4_SMEP | CR4_SMAP | CR4_PKE)) == 0,
                "CR4 0x%x: PAE must be set; LA57, SMEP, SMAP and PKE are not modelled", s.cr4());
        require((s.efer() & (EFER_LME | EFER_LMA)) == (EFER_LME | EFER_LMA), "EFER 0x%x: LME and LMA must be set", s.efer());
        require(s.cs().l() && !s.cs().db() && s.cs().present() && s.cs().s() && (s.cs().type() & 8) != 0,
                "CS (selector 0x%x) must be a present 64-bit code segment", s.cs().selector());
        require(s.cs().dpl() == 0 && (s.cs().selector() & 3) == 0, "CS (selector 0x%x): only CPL 0 is supported", s.cs().selector());
        Cpu cpu = new Cpu();
        cpu.cs = Segment.of(s.cs());
        Segment data = Segment.of(s.data());
        cpu.ds = data;
        cpu.es = data;
        cpu.fs = data;
        cpu.gs = data;
        cpu.ss = data;
        cpu.tr = Segment.of(s.tr());
        cpu.gdtBase = s.gdtBase();
        cpu.gdtLimit = s.gdtLimit() & 0xffff;
        cpu.idtBase = s.idtBase();
        cpu.idtLimit = s.idtLimit() & 0xffff;
        cpu.cr0 = s.cr0();
        cpu.cr3 = s.cr3();
        cpu.cr4 = s.cr4();
        cpu.efer = s.efer();
        cpu.rip = s.rip();
        cpu.regs[RSP] = s.rsp();
        cpu.regs[RDI] = s.rdi();
        cpu.rflags = (s.rflags() & Flags.DEFINED) | Flags.FIXED;
        return cpu;
    }

    private static void require(boolean ok, String format, Object... args) {
        if (!ok) {
            throw new IllegalArgumentException("unsupported start state: " + String.format(format, args));
        }
    }

    /**
     * Runs the guest until an exit, executing at most {@code instructionBudget} instructions (an
     * instruction that faults counts; the delivery of its exception does not). First completes what
     * the previous exit suspended.
     */
    public VcpuExit run(GuestRam ram, MsrPort msrs, long instructionBudget) {
        if (instructionBudget <= 0) {
            throw new IllegalArgumentException("instruction budget must be positive, got " + instructionBudget);
        }
        if (shutdown != null) {
            return new VcpuExit.Shutdown(shutdown);
        }
        if (interpreter == null) {
            interpreter = new Interpreter(this);
        }
        return interpreter.run(ram, msrs, instructionBudget);
    }

    /**
     * The answer to the last {@link VcpuExit.Msr}, as userspace writes kvm_run.msr before KVM_RUN:
     * {@code error} 0 completes the instruction (RDMSR loads EDX:EAX from {@code data}), any other value
     * makes it raise #GP(0). Without a call the exit's own data and error 0 apply, as in KVM.
     *
     * @throws IllegalStateException if the last exit was not an MSR exit
     */
    public void completeMsrExit(int error, long data) {
        if (pending != Pending.MSR_READ && pending != Pending.MSR_WRITE) {
            throw new IllegalStateException("no MSR exit to complete (pending: " + pending + ")");
        }
        completionError = error;
        completionData = data;
    }

    /**
     * The value the last IN exit ({@link VcpuExit.Io}) reads (its low {@code size} bytes are used). Without a
     * call the IN reads 0.
     *
     * @throws IllegalStateException if the last exit was not an IN
     */
    public void completePortIn(long value) {
        if (pending != Pending.PORT_IN) {
            throw new IllegalStateException("no IN to complete (pending: " + pending + ")");
        }
        completionData = value;
    }

    public long rip() {
        return rip;
    }

    public void setRip(long value) {
        rip = value;
    }

    /** General-purpose register {@code n}: 0-15 = RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8-R15 (encoding order). */
    public long reg(int n) {
        return regs[n];
    }

    public void setReg(int n, long value) {
        regs[n] = value;
    }

    public long rflags() {
        return rflags;
    }

    /** Sets RFLAGS; reserved bits are ignored and bit 1 reads as 1, as on hardware. */
    public void setRflags(long value) {
        rflags = (value & Flags.DEFINED) | Flags.FIXED;
    }

    public Segment cs() {
        return cs;
    }

    public Segment ss() {
        return ss;
    }

    public Segment ds() {
        return ds;
    }

    public Segment es() {
        return es;
    }

    public Segment fs() {
        return fs;
    }

    public Segment gs() {
        return gs;
    }

    public Segment tr() {
        return tr;
    }

    public long cr0() {
        return cr0;
    }

    public long cr2() {
        return cr2;
    }

    public long cr3() {
        return cr3;
    }

    public long cr4() {
        return cr4;
    }

    public long efer() {
        return efer;
    }

    public long gdtBase() {
        return gdtBase;
    }

    public int gdtLimit() {
        return gdtLimit;
    }

    public long idtBase() {
        return idtBase;
    }

    public int idtLimit() {
        return idtLimit;
    }

    /** The current privilege level (always 0 here). */
    public int cpl() {
        return cs.selector() & 3;
    }

    /** Instructions executed over all runs (including ones that faulted). */
    public long instructionCount() {
        return instructionCount;
    }

    /**
     * The registers as Registers.describe() prints kvm_regs (four a line, struct order), then the
     * special registers as SpecialRegisters.describe() prints the ones this CPU has.
     */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        String[] names = new String[18];
        long[] values = new long[18];
        for (int i = 0; i < 16; i++) {
            names[i] = REGISTER_NAMES[KVM_REGS_ORDER[i]];
            values[i] = regs[KVM_REGS_ORDER[i]];
        }
        names[16] = "rip";
        values[16] = rip;
        names[17] = "rflags";
        values[17] = rflags;
        for (int i = 0; i < names.length; i++) {
            sb.append(i == 0 ? "" : i % 4 == 0 ? "\n" : "  ").append(String.format("%-6s 0x%016x", names[i], values[i]));
        }
        sb.append('\n');
        String[] segmentNames = {"cs", "ds", "es", "fs", "gs", "ss", "tr"};
        Segment[] segments = {cs, ds, es, fs, gs, ss, tr};
        for (int i = 0; i < segments.length; i++) {
            sb.append(String.format("%-3s ", segmentNames[i])).append(segments[i].describe()).append('\n');
        }
        sb.append(String.format("gdt base=0x%016x limit=0x%04x\n", gdtBase, gdtLimit));
        sb.append(String.format("idt base=0x%016x limit=0x%04x\n", idtBase, idtLimit));
        sb.append(String.format("cr0=0x%x cr2=0x%x cr3=0x%x cr4=0x%x\n", cr0, cr2, cr3, cr4));
        sb.append(String.format("efer=0x%x", efer));
        if (shutdown != null) {
            sb.append("\nshut down: ").append(shutdown);
        }
        return sb.toString();
    }
}
