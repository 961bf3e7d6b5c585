package io.msrconf.emu.cpu;

/**
 * One decoded x86-64 instruction: where it is, how long it is, objdump's name for it, and the operands
 * in the form the executor uses. Immutable, so the interpreter can cache it by guest physical address.
 *
 * <p>Operands: {@code dst} and {@code src} are operand kinds ({@link #K_E} the ModRM r/m operand,
 * register or memory; {@link #K_G} the register {@code reg}; {@link #K_IMM} the immediate). Register
 * numbers are 0-15 (RAX..R15), or 16-19 for AH, CH, DH, BH.
 */
public final class DecodedInstruction {

    static final int K_NONE = 0;
    static final int K_E = 1;
    static final int K_G = 2;
    static final int K_IMM = 3;
    /** The shift count in CL. */
    static final int K_CL = 4;

    static final int NO_REG = -1;
    /** {@link #base} of a RIP-relative operand. */
    static final int RIP = 16;

    static final int SEG_DEFAULT = 0;
    static final int SEG_FS = 1;
    static final int SEG_GS = 2;

    final long address;
    final int length;
    final String mnemonic;
    final Op op;
    final int sub;
    /** Operand size in bytes (1, 2, 4, 8); for MOVZX/MOVSX the destination size. */
    final int opSize;
    /** Size of the r/m operand where it differs from opSize (MOVZX, MOVSX, MOVSXD), else opSize. */
    final int srcSize;
    final int dst;
    final int src;
    final int reg;
    final int rm;
    final boolean memory;
    final int base;
    final int index;
    final int scaleShift;
    final long disp;
    final int segment;
    /** The memory operand is in SS (base RSP or RBP, or an SS prefix): a non-canonical address is #SS, not #GP. */
    final boolean stackSegment;
    final boolean addr32;
    final long imm;

    DecodedInstruction(long address, int length, String mnemonic, Op op, int sub, int opSize, int srcSize, int dst,
                       int src, int reg, int rm, boolean memory, int base, int index, int scaleShift, long disp,
                       int segment, boolean stackSegment, boolean addr32, long imm) {
        this.address = address;
        this.length = length;
        this.mnemonic = mnemonic;
        this.op = op;
        this.sub = sub;
        this.opSize = opSize;
        this.srcSize = srcSize;
        this.dst = dst;
        this.src = src;
        this.reg = reg;
        this.rm = rm;
        this.memory = memory;
        this.base = base;
        this.index = index;
        this.scaleShift = scaleShift;
        this.disp = disp;
        this.segment = segment;
        this.stackSegment = stackSegment;
        this.addr32 = addr32;
        this.imm = imm;
    }

    /** The guest (linear) address the instruction was decoded at. */
    public long address() {
        return address;
    }

    /**
     * Length in bytes. For {@link #isKnown() unknown} instructions, the bytes the decoder looked at
     * (prefixes and opcode); for an instruction longer than 15 bytes, 15.
     */
    public int length() {
        return length;
    }

    /** objdump's mnemonic in AT&T syntax, with the prefixes it prints before it ("rex.W nop", "data16 cs nopw"). */
    public String mnemonic() {
        return mnemonic;
    }

    /** Whether the interpreter executes this instruction (#UD for an undefined opcode counts as executing it). */
    public boolean isImplemented() {
        return op != Op.UNIMPLEMENTED && op != Op.UNKNOWN;
    }

    /** Whether the decoder knows what the bytes are (false: the mnemonic is "unknown"). */
    public boolean isKnown() {
        return op != Op.UNKNOWN;
    }

    @Override
    public String toString() {
        return String.format("0x%x: %s (%d bytes)", address, mnemonic, length);
    }
}
