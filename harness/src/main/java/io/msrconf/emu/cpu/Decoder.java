package io.msrconf.emu.cpu;

/**
 * A table-driven x86-64 (64-bit mode) instruction decoder that names instructions exactly as
 * {@code objdump -d -M att} (binutils 2.40) does, prefixes it prints as words included ("rex.W nop",
 * "data16 cs nopw", "lock add", "je,pn"), so that the emulator and the payload listings can be compared
 * instruction by instruction.
 *
 * <p>Every opcode is one of: executed (an {@link Op} the interpreter implements), known to be undefined
 * (#UD: UD2 and what objdump prints as "(bad)"), known by name but not executed
 * ({@link Op#UNIMPLEMENTED}: CPUID, RDTSCP, SYSCALL, RCL, ENTER, far RET, ...), or unknown (string
 * instructions, x87, SSE, far CALL/JMP, ...). The decoder never guesses: what it does not know it
 * reports as unknown, and the interpreter stops on it. The objdump agreement is tested on random
 * instructions against the real objdump (DecoderObjdumpTest); the one known difference is an
 * instruction longer than 15 bytes, which objdump names with some of its prefixes and the decoder
 * plainly "(bad)".
 *
 * <p>Where objdump's view and the hardware's differ, the instruction is not executed: a REX prefix
 * followed by another prefix (objdump prints it as a one-byte instruction, the CPU ignores it) and
 * near branches with an operand-size prefix (Intel ignores 0x66 there, AMD truncates RIP to 16 bits)
 * both decode as {@link Op#UNIMPLEMENTED}, with objdump's name and length.
 */
public final class Decoder {

    public static final int MAX_LENGTH = 15;

    /**
     * KVM's forced-emulation prefix (arch/x86/include/asm/emulate_prefix.h, __KVM_EMULATE_PREFIX):
     * {@code ud2; .ascii "kvm"}. It is a UD2 followed by three bytes of data, not an instruction: the CPU
     * raises #UD on the UD2, and KVM (kvm.force_emulation_prefix) then skips all five bytes.
     */
    private static final byte[] KVM_FORCED_EMULATION_PREFIX = {0x0f, 0x0b, 'k', 'v', 'm'};

    /** The length of KVM's forced-emulation prefix. */
    public static final int KVM_FORCED_EMULATION_PREFIX_LENGTH = KVM_FORCED_EMULATION_PREFIX.length;

    /** Whether {@code code[offset..]} starts with KVM's forced-emulation prefix (handle_ud()'s memcmp). */
    public static boolean isKvmForcedEmulationPrefix(byte[] code, int offset) {
        return offset >= 0 && offset + KVM_FORCED_EMULATION_PREFIX.length <= code.length
                && java.util.Arrays.equals(code, offset, offset + KVM_FORCED_EMULATION_PREFIX.length,
                        KVM_FORCED_EMULATION_PREFIX, 0, KVM_FORCED_EMULATION_PREFIX.length);
    }

    // Operand forms: where the operands come from (E = ModRM r/m, G = ModRM reg, I = immediate).
    private static final int F_NONE = 0;
    private static final int F_EG = 1;
    private static final int F_GE = 2;
    private static final int F_E = 3;
    private static final int F_EI = 4;
    private static final int F_GEI = 5;
    /** Accumulator (register 0) and immediate. */
    private static final int F_AI = 6;
    /** Register in the low three opcode bits (+ REX.B). */
    private static final int F_O = 7;
    private static final int F_OI = 8;
    private static final int F_I = 9;
    /** Relative branch: the immediate is the displacement. */
    private static final int F_J = 10;
    private static final int F_ECL = 11;

    // Operand-size kinds.
    /** No operand size (0x66 and REX.W are unused). */
    private static final int S_N = 0;
    private static final int S_B = 1;
    /** 32 bits, 16 with 0x66, 64 with REX.W. */
    private static final int S_V = 2;
    /** Stack operations: 64 bits, 16 with 0x66 (REX.W wins over 0x66). */
    private static final int S_D64 = 3;
    /** Near branches: 64 bits; 0x66 is vendor-specific. */
    private static final int S_F64 = 4;
    /** 32 bits, 16 with 0x66, REX.W ignored (IN/OUT with eAX). */
    private static final int S_Z = 5;

    // Immediate kinds.
    private static final int I_NONE = 0;
    /** 8 bits, sign-extended. */
    private static final int I_B = 1;
    /** 8 bits, zero-extended (ports, vectors, shift counts). */
    private static final int I_UB = 2;
    /** 16 bits with a 16-bit operand size, else 32, sign-extended. */
    private static final int I_Z = 3;
    /** As wide as the operand (MOV r, imm64). */
    private static final int I_V = 4;
    private static final int I_W = 5;
    /** No bytes: the shift count 1 of D0/D1. */
    private static final int I_ONE = 6;
    /** ENTER: 16 + 8 bits. */
    private static final int I_ENTER = 7;

    // How objdump derives the printed name from the base name.
    private static final int N_PLAIN = 0;
    /** Size suffix (b, w, l, q) when the r/m operand is memory: "addl $1,(%rax)" but "add $1,%eax". */
    private static final int N_MEMSFX = 1;
    /** Suffix 'w' for a 16-bit operand size: "pushw $1", "retw". */
    private static final int N_W66 = 2;
    /** Suffix 'w' for a 16-bit memory operand: "pushw (%rax)" but "push %ax". */
    private static final int N_W66MEM = 3;
    /** One name per operand size, "16|32|64": "cbtw|cwtl|cltq". */
    private static final int N_SIZED = 4;
    /** Name + source size + destination size: "movzbl". */
    private static final int N_MOVX = 5;

    // Flags.
    private static final int LOCKABLE = 1;
    private static final int MEM_ONLY = 2;
    /** Near branch: objdump names 0xF2 "bnd". */
    private static final int BRANCH = 8;
    /** HLE-capable (locked read-modify-write, XCHG with memory): objdump names 0xF2/0xF3 "xacquire"/"xrelease". */
    private static final int HLE = 16;
    /** Conditional branch: a lone CS or DS prefix is a branch hint (",pn", ",pt"). */
    private static final int HINT = 32;
    /** Indirect branch: objdump names 0x3E "notrack". */
    private static final int NOTRACK = 64;
    /** MOV to/from control registers: ModRM.mod is ignored, r/m is always a register. */
    private static final int MOD_IS_REG = 128;

    private static final String[] ALU_NAMES = {"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"};
    private static final String[] CONDITIONS = {"o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g"};

    private static final Spec[] ONE_BYTE = new Spec[256];
    private static final Spec[] TWO_BYTE = new Spec[256];
    /** 0F 01 with a memory operand, by ModRM.reg. */
    private static final Spec[] GROUP7_MEMORY = new Spec[8];
    /** 0F 01 with ModRM.mod = 3: one instruction per ModRM byte. */
    private static final Spec[] GROUP7_REGISTER = new Spec[256];

    private static final Spec BAD = spec("(bad)", Op.UNDEFINED, 0, F_NONE, S_N, I_NONE, N_PLAIN, 0);
    /** An undefined member of a ModRM group: its length includes the r/m operand, as the CPU's would. */
    private static final Spec BAD_MODRM = spec("(bad)", Op.UNDEFINED, 0, F_E, S_N, I_NONE, N_PLAIN, 0);

    static {
        for (int i = 0; i < 8; i++) {
            int lock = i == 7 ? 0 : LOCKABLE;
            ONE_BYTE[i * 8] = spec(ALU_NAMES[i], Op.ALU, i, F_EG, S_B, I_NONE, N_PLAIN, lock);
            ONE_BYTE[i * 8 + 1] = spec(ALU_NAMES[i], Op.ALU, i, F_EG, S_V, I_NONE, N_PLAIN, lock);
            ONE_BYTE[i * 8 + 2] = spec(ALU_NAMES[i], Op.ALU, i, F_GE, S_B, I_NONE, N_PLAIN, 0);
            ONE_BYTE[i * 8 + 3] = spec(ALU_NAMES[i], Op.ALU, i, F_GE, S_V, I_NONE, N_PLAIN, 0);
            ONE_BYTE[i * 8 + 4] = spec(ALU_NAMES[i], Op.ALU, i, F_AI, S_B, I_B, N_PLAIN, 0);
            ONE_BYTE[i * 8 + 5] = spec(ALU_NAMES[i], Op.ALU, i, F_AI, S_V, I_Z, N_PLAIN, 0);
        }
        // Invalid in 64-bit mode: the legacy PUSH/POP of segment registers, BCD arithmetic, PUSHA/POPA,
        // far CALL/JMP immediate, INTO, AAM/AAD, SALC; and 0x82, the old alias of 0x80.
        for (int opcode : new int[] {0x06, 0x07, 0x0e, 0x16, 0x17, 0x1e, 0x1f, 0x27, 0x2f, 0x37, 0x3f, 0x60, 0x61,
                0x82, 0x9a, 0xce, 0xd4, 0xd5, 0xd6, 0xea}) {
            ONE_BYTE[opcode] = BAD;
        }
        for (int r = 0; r < 8; r++) {
            ONE_BYTE[0x50 + r] = spec("push", Op.PUSH, 0, F_O, S_D64, I_NONE, N_PLAIN, 0);
            ONE_BYTE[0x58 + r] = spec("pop", Op.POP, 0, F_O, S_D64, I_NONE, N_PLAIN, 0);
            ONE_BYTE[0xb0 + r] = spec("mov", Op.MOV, 0, F_OI, S_B, I_B, N_PLAIN, 0);
            ONE_BYTE[0xb8 + r] = spec("mov", Op.MOV, 0, F_OI, S_V, I_V, N_PLAIN, 0);
            ONE_BYTE[0x90 + r] = spec("xchg", Op.XCHG, 0, F_O, S_V, I_NONE, N_PLAIN, 0);
        }
        ONE_BYTE[0x63] = spec("movsxd|movsxd|movslq", Op.MOVSX, 4, F_GE, S_V, I_NONE, N_SIZED, 0);
        ONE_BYTE[0x68] = spec("push", Op.PUSH, 0, F_I, S_D64, I_Z, N_W66, 0);
        ONE_BYTE[0x69] = spec("imul", Op.IMUL, 1, F_GEI, S_V, I_Z, N_PLAIN, 0);
        ONE_BYTE[0x6a] = spec("push", Op.PUSH, 0, F_I, S_D64, I_B, N_W66, 0);
        ONE_BYTE[0x6b] = spec("imul", Op.IMUL, 1, F_GEI, S_V, I_B, N_PLAIN, 0);
        for (int cc = 0; cc < 16; cc++) {
            ONE_BYTE[0x70 + cc] = spec("j" + CONDITIONS[cc], Op.JCC, cc, F_J, S_F64, I_B, N_PLAIN, BRANCH | HINT);
            TWO_BYTE[0x80 + cc] = spec("j" + CONDITIONS[cc], Op.JCC, cc, F_J, S_F64, I_Z, N_PLAIN, BRANCH | HINT);
            TWO_BYTE[0x40 + cc] = spec("cmov" + CONDITIONS[cc], Op.CMOV, cc, F_GE, S_V, I_NONE, N_PLAIN, 0);
            TWO_BYTE[0x90 + cc] = spec("set" + CONDITIONS[cc], Op.SETCC, cc, F_E, S_B, I_NONE, N_PLAIN, 0);
        }
        ONE_BYTE[0x80] = group(i -> spec(ALU_NAMES[i], Op.ALU, i, F_EI, S_B, I_B, N_MEMSFX, i == 7 ? 0 : LOCKABLE));
        ONE_BYTE[0x81] = group(i -> spec(ALU_NAMES[i], Op.ALU, i, F_EI, S_V, I_Z, N_MEMSFX, i == 7 ? 0 : LOCKABLE));
        ONE_BYTE[0x83] = group(i -> spec(ALU_NAMES[i], Op.ALU, i, F_EI, S_V, I_B, N_MEMSFX, i == 7 ? 0 : LOCKABLE));
        ONE_BYTE[0x84] = spec("test", Op.TEST, 0, F_EG, S_B, I_NONE, N_PLAIN, 0);
        ONE_BYTE[0x85] = spec("test", Op.TEST, 0, F_EG, S_V, I_NONE, N_PLAIN, 0);
        ONE_BYTE[0x86] = spec("xchg", Op.XCHG, 0, F_EG, S_B, I_NONE, N_PLAIN, LOCKABLE | HLE);
        ONE_BYTE[0x87] = spec("xchg", Op.XCHG, 0, F_EG, S_V, I_NONE, N_PLAIN, LOCKABLE | HLE);
        ONE_BYTE[0x88] = spec("mov", Op.MOV, 0, F_EG, S_B, I_NONE, N_PLAIN, 0);
        ONE_BYTE[0x89] = spec("mov", Op.MOV, 0, F_EG, S_V, I_NONE, N_PLAIN, 0);
        ONE_BYTE[0x8a] = spec("mov", Op.MOV, 0, F_GE, S_B, I_NONE, N_PLAIN, 0);
        ONE_BYTE[0x8b] = spec("mov", Op.MOV, 0, F_GE, S_V, I_NONE, N_PLAIN, 0);
        ONE_BYTE[0x8d] = spec("lea", Op.LEA, 0, F_GE, S_V, I_NONE, N_PLAIN, MEM_ONLY);
        ONE_BYTE[0x8f] = group(i -> i == 0 ? spec("pop", Op.POP, 0, F_E, S_D64, I_NONE, N_W66MEM, 0) : null);
        ONE_BYTE[0x98] = spec("cbtw|cwtl|cltq", Op.WIDEN_ACC, 0, F_NONE, S_V, I_NONE, N_SIZED, 0);
        ONE_BYTE[0x99] = spec("cwtd|cltd|cqto", Op.SIGN_EXTEND_ACC, 0, F_NONE, S_V, I_NONE, N_SIZED, 0);
        ONE_BYTE[0x9c] = spec("pushf", Op.PUSHF, 0, F_NONE, S_D64, I_NONE, N_W66, 0);
        ONE_BYTE[0x9d] = spec("popf", Op.POPF, 0, F_NONE, S_D64, I_NONE, N_W66, 0);
        ONE_BYTE[0x9e] = unimplemented("sahf", F_NONE, S_N, N_PLAIN, 0);
        ONE_BYTE[0x9f] = unimplemented("lahf", F_NONE, S_N, N_PLAIN, 0);
        ONE_BYTE[0xa8] = spec("test", Op.TEST, 0, F_AI, S_B, I_B, N_PLAIN, 0);
        ONE_BYTE[0xa9] = spec("test", Op.TEST, 0, F_AI, S_V, I_Z, N_PLAIN, 0);
        String[] shifts = {"rol", "ror", "rcl", "rcr", "shl", "shr", null, "sar"};
        ONE_BYTE[0xc0] = group(i -> shift(shifts[i], i, F_EI, S_B, I_UB));
        ONE_BYTE[0xc1] = group(i -> shift(shifts[i], i, F_EI, S_V, I_UB));
        ONE_BYTE[0xd0] = group(i -> shift(shifts[i], i, F_EI, S_B, I_ONE));
        ONE_BYTE[0xd1] = group(i -> shift(shifts[i], i, F_EI, S_V, I_ONE));
        ONE_BYTE[0xd2] = group(i -> shift(shifts[i], i, F_ECL, S_B, I_NONE));
        ONE_BYTE[0xd3] = group(i -> shift(shifts[i], i, F_ECL, S_V, I_NONE));
        ONE_BYTE[0xc2] = spec("ret", Op.RET, 0, F_I, S_F64, I_W, N_W66, BRANCH);
        ONE_BYTE[0xc3] = spec("ret", Op.RET, 0, F_NONE, S_F64, I_NONE, N_W66, BRANCH);
        ONE_BYTE[0xc6] = group(i -> i == 0 ? spec("mov", Op.MOV, 0, F_EI, S_B, I_B, N_MEMSFX, 0) : i == 7 ? null : BAD_MODRM);
        ONE_BYTE[0xc7] = group(i -> i == 0 ? spec("mov", Op.MOV, 0, F_EI, S_V, I_Z, N_MEMSFX, 0) : i == 7 ? null : BAD_MODRM);
        ONE_BYTE[0xc8] = spec("enter", Op.UNIMPLEMENTED, 0, F_I, S_D64, I_ENTER, N_W66, 0);
        ONE_BYTE[0xc9] = spec("leave", Op.LEAVE, 0, F_NONE, S_D64, I_NONE, N_W66, 0);
        ONE_BYTE[0xca] = spec("lretw|lret|lretq", Op.UNIMPLEMENTED, 0, F_I, S_V, I_W, N_SIZED, 0);
        ONE_BYTE[0xcb] = unimplemented("lretw|lret|lretq", F_NONE, S_V, N_SIZED, 0);
        ONE_BYTE[0xcc] = spec("int3", Op.INT3, 0, F_NONE, S_N, I_NONE, N_PLAIN, 0);
        ONE_BYTE[0xcd] = spec("int", Op.INT, 0, F_I, S_N, I_UB, N_PLAIN, 0);
        // Only the 64-bit IRETQ is executed; IRET and IRETW pop 32- and 16-bit frames.
        ONE_BYTE[0xcf] = spec("iretw|iret|iretq", Op.IRET, 0, F_NONE, S_V, I_NONE, N_SIZED, 0);
        ONE_BYTE[0xe4] = spec("in", Op.IN, 0, F_I, S_B, I_UB, N_PLAIN, 0);
        ONE_BYTE[0xe5] = spec("in", Op.IN, 0, F_I, S_Z, I_UB, N_PLAIN, 0);
        ONE_BYTE[0xe6] = spec("out", Op.OUT, 0, F_I, S_B, I_UB, N_PLAIN, 0);
        ONE_BYTE[0xe7] = spec("out", Op.OUT, 0, F_I, S_Z, I_UB, N_PLAIN, 0);
        ONE_BYTE[0xe8] = spec("call", Op.CALL, 0, F_J, S_F64, I_Z, N_W66, BRANCH);
        ONE_BYTE[0xe9] = spec("jmp", Op.JMP, 0, F_J, S_F64, I_Z, N_W66, BRANCH);
        ONE_BYTE[0xeb] = spec("jmp", Op.JMP, 0, F_J, S_F64, I_B, N_PLAIN, BRANCH);
        ONE_BYTE[0xec] = spec("in", Op.IN, 0, F_NONE, S_B, I_NONE, N_PLAIN, 0);
        ONE_BYTE[0xed] = spec("in", Op.IN, 0, F_NONE, S_Z, I_NONE, N_PLAIN, 0);
        ONE_BYTE[0xee] = spec("out", Op.OUT, 0, F_NONE, S_B, I_NONE, N_PLAIN, 0);
        ONE_BYTE[0xef] = spec("out", Op.OUT, 0, F_NONE, S_Z, I_NONE, N_PLAIN, 0);
        ONE_BYTE[0xf1] = unimplemented("int1", F_NONE, S_N, N_PLAIN, 0);
        ONE_BYTE[0xf4] = spec("hlt", Op.HLT, 0, F_NONE, S_N, I_NONE, N_PLAIN, 0);
        ONE_BYTE[0xf5] = spec("cmc", Op.CMC, 0, F_NONE, S_N, I_NONE, N_PLAIN, 0);
        ONE_BYTE[0xf6] = group(i -> group3(i, S_B, I_B));
        ONE_BYTE[0xf7] = group(i -> group3(i, S_V, I_Z));
        ONE_BYTE[0xf8] = spec("clc", Op.CLC, 0, F_NONE, S_N, I_NONE, N_PLAIN, 0);
        ONE_BYTE[0xf9] = spec("stc", Op.STC, 0, F_NONE, S_N, I_NONE, N_PLAIN, 0);
        ONE_BYTE[0xfa] = spec("cli", Op.CLI, 0, F_NONE, S_N, I_NONE, N_PLAIN, 0);
        ONE_BYTE[0xfb] = spec("sti", Op.STI, 0, F_NONE, S_N, I_NONE, N_PLAIN, 0);
        ONE_BYTE[0xfc] = spec("cld", Op.CLD, 0, F_NONE, S_N, I_NONE, N_PLAIN, 0);
        ONE_BYTE[0xfd] = spec("std", Op.STD, 0, F_NONE, S_N, I_NONE, N_PLAIN, 0);
        ONE_BYTE[0xfe] = group(i -> i == 0 ? spec("inc", Op.INC, 0, F_E, S_B, I_NONE, N_MEMSFX, LOCKABLE)
                : i == 1 ? spec("dec", Op.DEC, 0, F_E, S_B, I_NONE, N_MEMSFX, LOCKABLE) : BAD_MODRM);
        ONE_BYTE[0xff] = group(i -> switch (i) {
            case 0 -> spec("inc", Op.INC, 0, F_E, S_V, I_NONE, N_MEMSFX, LOCKABLE);
            case 1 -> spec("dec", Op.DEC, 0, F_E, S_V, I_NONE, N_MEMSFX, LOCKABLE);
            case 2 -> spec("call", Op.CALL_INDIRECT, 0, F_E, S_F64, I_NONE, N_W66MEM, BRANCH | NOTRACK);
            case 4 -> spec("jmp", Op.JMP_INDIRECT, 0, F_E, S_F64, I_NONE, N_W66MEM, BRANCH | NOTRACK);
            case 6 -> spec("push", Op.PUSH, 0, F_E, S_D64, I_NONE, N_W66MEM, 0);
            case 7 -> BAD_MODRM;
            default -> null;        // far CALL/JMP: objdump's naming of their operand sizes is irregular
        });

        GROUP7_MEMORY[0] = spec("sgdt", Op.SGDT, 0, F_E, S_N, I_NONE, N_PLAIN, MEM_ONLY);
        GROUP7_MEMORY[1] = spec("sidt", Op.SIDT, 0, F_E, S_N, I_NONE, N_PLAIN, MEM_ONLY);
        GROUP7_MEMORY[2] = spec("lgdt", Op.LGDT, 0, F_E, S_N, I_NONE, N_PLAIN, MEM_ONLY);
        GROUP7_MEMORY[3] = spec("lidt", Op.LIDT, 0, F_E, S_N, I_NONE, N_PLAIN, MEM_ONLY);
        GROUP7_MEMORY[7] = unimplemented("invlpg", F_E, S_N, N_PLAIN, MEM_ONLY);
        String[][] group7Registers = {{"c1", "vmcall"}, {"ca", "clac"}, {"cb", "stac"}, {"d0", "xgetbv"}, {"d1", "xsetbv"},
            {"d8", "vmrun"}, {"d9", "vmmcall"}, {"f8", "swapgs"}, {"f9", "rdtscp"}};
        for (String[] named : group7Registers) {
            GROUP7_REGISTER[Integer.parseInt(named[0], 16)] = unimplemented(named[1], F_NONE, S_N, N_PLAIN, 0);
        }
        TWO_BYTE[0x05] = unimplemented("syscall", F_NONE, S_N, N_PLAIN, 0);
        TWO_BYTE[0x06] = unimplemented("clts", F_NONE, S_N, N_PLAIN, 0);
        TWO_BYTE[0x08] = unimplemented("invd", F_NONE, S_N, N_PLAIN, 0);
        TWO_BYTE[0x09] = unimplemented("wbinvd", F_NONE, S_N, N_PLAIN, 0);
        TWO_BYTE[0x0b] = spec("ud2", Op.UNDEFINED, 0, F_NONE, S_N, I_NONE, N_PLAIN, 0);
        // 0F 1F is NOP r/m for every ModRM.reg (the long NOPs assemblers pad with).
        TWO_BYTE[0x1f] = spec("nop", Op.NOP, 0, F_E, S_V, I_NONE, N_MEMSFX, 0);
        TWO_BYTE[0x20] = unimplemented("mov", F_GE, S_N, N_PLAIN, MOD_IS_REG);
        TWO_BYTE[0x22] = unimplemented("mov", F_GE, S_N, N_PLAIN, MOD_IS_REG);
        TWO_BYTE[0x30] = spec("wrmsr", Op.WRMSR, 0, F_NONE, S_N, I_NONE, N_PLAIN, 0);
        TWO_BYTE[0x31] = spec("rdtsc", Op.RDTSC, 0, F_NONE, S_N, I_NONE, N_PLAIN, 0);
        TWO_BYTE[0x32] = spec("rdmsr", Op.RDMSR, 0, F_NONE, S_N, I_NONE, N_PLAIN, 0);
        TWO_BYTE[0x33] = unimplemented("rdpmc", F_NONE, S_N, N_PLAIN, 0);
        TWO_BYTE[0xa2] = unimplemented("cpuid", F_NONE, S_N, N_PLAIN, 0);
        TWO_BYTE[0xaf] = spec("imul", Op.IMUL, 0, F_GE, S_V, I_NONE, N_PLAIN, 0);
        TWO_BYTE[0xb6] = spec("movz", Op.MOVZX, 1, F_GE, S_V, I_NONE, N_MOVX, 0);
        TWO_BYTE[0xb7] = spec("movz", Op.MOVZX, 2, F_GE, S_V, I_NONE, N_MOVX, 0);
        TWO_BYTE[0xbe] = spec("movs", Op.MOVSX, 1, F_GE, S_V, I_NONE, N_MOVX, 0);
        TWO_BYTE[0xbf] = spec("movs", Op.MOVSX, 2, F_GE, S_V, I_NONE, N_MOVX, 0);
    }

    private static Spec shift(String name, int kind, int form, int size, int imm) {
        if (name == null) {
            return null;
        }
        boolean rotateThroughCarry = kind == 2 || kind == 3;
        return spec(name, rotateThroughCarry ? Op.UNIMPLEMENTED : Op.SHIFT, kind, form, size, imm, N_MEMSFX, 0);
    }

    private static Spec group3(int reg, int size, int imm) {
        return switch (reg) {
            case 0, 1 -> spec("test", Op.TEST, 0, F_EI, size, imm, N_MEMSFX, 0);
            case 2 -> spec("not", Op.NOT, 0, F_E, size, I_NONE, N_MEMSFX, LOCKABLE);
            case 3 -> spec("neg", Op.NEG, 0, F_E, size, I_NONE, N_MEMSFX, LOCKABLE);
            case 4 -> spec("mul", Op.MUL, 0, F_E, size, I_NONE, N_MEMSFX, 0);
            case 5 -> spec("imul", Op.IMUL1, 0, F_E, size, I_NONE, N_MEMSFX, 0);
            case 6 -> spec("div", Op.DIV, 0, F_E, size, I_NONE, N_MEMSFX, 0);
            default -> spec("idiv", Op.IDIV, 0, F_E, size, I_NONE, N_MEMSFX, 0);
        };
    }

    private static Spec spec(String name, Op op, int sub, int form, int size, int imm, int naming, int flags) {
        return new Spec(name, op, sub, form, size, imm, naming, flags, null);
    }

    private static Spec unimplemented(String name, int form, int size, int naming, int flags) {
        return new Spec(name, Op.UNIMPLEMENTED, 0, form, size, I_NONE, naming, flags, null);
    }

    private static Spec group(java.util.function.IntFunction<Spec> byReg) {
        Spec[] members = new Spec[8];
        for (int i = 0; i < 8; i++) {
            members[i] = byReg.apply(i);
        }
        return new Spec(null, null, 0, F_E, S_N, I_NONE, N_PLAIN, 0, members);
    }

    /** One table entry: the base name, what to execute, and how to read and name the operands. */
    private record Spec(String name, Op op, int sub, int form, int size, int imm, int naming, int flags, Spec[] group) {
        boolean has(int flag) {
            return (flags & flag) != 0;
        }

        boolean hasModrm() {
            return form == F_EG || form == F_GE || form == F_E || form == F_EI || form == F_GEI || form == F_ECL;
        }
    }

    // ---- decoding one instruction ----

    /** Thrown (preallocated, no stack trace) when the bytes end inside the instruction. */
    private static final class Truncated extends RuntimeException {
        private static final long serialVersionUID = 1L;
        static final Truncated INSTANCE = new Truncated();

        private Truncated() {
            super("instruction runs past the available bytes", null, false, false);
        }
    }

    /** Thrown (preallocated) when the instruction would exceed 15 bytes. */
    private static final class TooLong extends RuntimeException {
        private static final long serialVersionUID = 1L;
        static final TooLong INSTANCE = new TooLong();

        private TooLong() {
            super("instruction longer than 15 bytes", null, false, false);
        }
    }

    private final byte[] code;
    private final int start;
    private final int limit;
    private final long address;
    private int p;

    private final int[] prefixes = new int[MAX_LENGTH];
    private int prefixCount;
    private int last66 = -1;
    private int last67 = -1;
    private int lastSegment = -1;
    private int lastF2 = -1;
    private int lastF3 = -1;
    private int segment = DecodedInstruction.SEG_DEFAULT;
    private int segmentPrefix;
    private boolean lock;
    /** The last of F2/F3: the one that counts where the two are combined. */
    private int lastRep;
    private int rex;

    private boolean hasModrm;
    private int mod;
    private int regField;
    private int rmField;
    private boolean hasSib;
    private boolean memory;
    private int base = DecodedInstruction.NO_REG;
    private int index = DecodedInstruction.NO_REG;
    private int scaleShift;
    private long disp;

    private Decoder(byte[] code, int offset, int limit, long address) {
        this.code = code;
        this.start = offset;
        this.limit = limit;
        this.address = address;
        this.p = offset;
    }

    /**
     * Decodes the instruction at {@code code[offset]}, which sits at guest address {@code address}.
     *
     * @throws IllegalArgumentException if the bytes end before the instruction does
     */
    public static DecodedInstruction decode(byte[] code, int offset, long address) {
        DecodedInstruction d = decode(code, offset, code.length, address);
        if (d == null) {
            throw new IllegalArgumentException(String.format("the instruction at 0x%x runs past the end of the %d bytes given",
                    address, code.length));
        }
        return d;
    }

    /** As {@link #decode(byte[], int, long)} over {@code code[offset, limit)}; null when the instruction runs past {@code limit}. */
    static DecodedInstruction decode(byte[] code, int offset, int limit, long address) {
        Decoder decoder = new Decoder(code, offset, Math.min(limit, code.length), address);
        try {
            return decoder.decodeOne();
        } catch (Truncated t) {
            return null;
        } catch (TooLong t) {
            return decoder.simple(Op.TOO_LONG, "(bad)", MAX_LENGTH);
        }
    }

    private int peek() {
        if (p >= start + MAX_LENGTH) {
            throw TooLong.INSTANCE;
        }
        if (p >= limit) {
            throw Truncated.INSTANCE;
        }
        return code[p] & 0xff;
    }

    private int next() {
        int b = peek();
        p++;
        return b;
    }

    private long nextLe(int size) {
        long v = 0;
        for (int i = 0; i < size; i++) {
            v |= (long) next() << (8 * i);
        }
        return v;
    }

    private static boolean isLegacyPrefix(int b) {
        return switch (b) {
            case 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3 -> true;
            default -> false;
        };
    }

    private DecodedInstruction decodeOne() {
        while (true) {
            int b = peek();
            if (isLegacyPrefix(b)) {
                recordPrefix(b);
                p++;
            } else if ((b & 0xf0) == 0x40) {
                p++;
                prefixes[prefixCount++] = b;
                int after = peek();
                if (isLegacyPrefix(after) || (after & 0xf0) == 0x40) {
                    // The CPU ignores a REX prefix that does not immediately precede the opcode; objdump
                    // prints the prefixes up to it as an instruction of their own. Not executed: the two differ.
                    StringBuilder names = new StringBuilder();
                    for (int i = 0; i < prefixCount; i++) {
                        names.append(i == 0 ? "" : " ").append(prefixName(prefixes[i]));
                    }
                    return simple(Op.UNIMPLEMENTED, names.toString(), p - start);
                }
                rex = b;
                break;
            } else {
                break;
            }
        }

        int opcode = next();
        Spec s;
        if (opcode == 0x0f) {
            opcode = 0x100 | next();
            s = TWO_BYTE[opcode & 0xff];
            if ((opcode & 0xff) == 0x01) {
                readModrm();
                s = mod == 3 ? GROUP7_REGISTER[code[p - 1] & 0xff] : GROUP7_MEMORY[regField];
                if (s != null && s.form == F_NONE) {
                    hasModrm = false;       // the ModRM byte is part of the opcode (0F 01 D0 = xgetbv)
                }
            }
            if (s != null && s.op == Op.UNIMPLEMENTED && (last66 >= 0 || lastRep != 0)) {
                s = null;                   // 66/F2/F3 select other instructions in the two-byte map
            }
        } else {
            s = ONE_BYTE[opcode];
        }
        if (s != null && s.group != null) {
            readModrm();
            s = s.group[regField];
        }
        if (s == null) {
            return simple(Op.UNKNOWN, "unknown", p - start);
        }
        // F3 90 is PAUSE; 90 without REX.B is NOP, not XCHG EAX,EAX (which would zero-extend RAX).
        boolean pause = opcode == 0x90 && lastRep == 0xf3;
        boolean plainNop = opcode == 0x90 && (rex & 1) == 0 && !pause;

        boolean w = (rex & 8) != 0;
        boolean has66 = last66 >= 0;
        Op op = s.op;
        int opSize;
        boolean used66;
        boolean usedW = false;
        switch (s.size) {
            case S_B -> {
                opSize = 1;
                used66 = false;
            }
            case S_V -> {
                opSize = w ? 8 : has66 ? 2 : 4;
                // objdump counts 66 as used by 90 even when REX.W overrides it (66 90 is its "xchg %ax,%ax"),
                // and by MOVSLQ from a register (below)
                used66 = has66 && (!w || opcode == 0x90 || opcode == 0x63) && !pause;
                usedW = w && !pause && (!plainNop || has66);
            }
            case S_D64 -> {
                opSize = w ? 8 : has66 ? 2 : 8;
                used66 = has66 && !w;
            }
            case S_F64 -> {
                // 66 without REX.W: a 16-bit near branch, which is vendor-specific (see the class comment);
                // objdump decodes it the AMD way (rel16, "jmpw"), except for 8-bit displacements ("data16 je").
                boolean branch16 = has66 && !w;
                opSize = branch16 ? 2 : 8;
                used66 = branch16 && !(s.form == F_J && s.imm == I_B);
                if (branch16) {
                    op = Op.UNIMPLEMENTED;
                }
            }
            case S_Z -> {
                // With both 66 and REX.W, objdump says 32 bits; manuals do not settle it: not executed.
                opSize = has66 && !w ? 2 : 4;
                used66 = has66 && !w;
                if (has66 && w) {
                    op = Op.UNIMPLEMENTED;
                }
            }
            default -> {
                opSize = 0;
                used66 = false;
            }
        }

        if (s.hasModrm()) {
            if (!hasModrm) {
                readModrm();
            }
            if (mod != 3 && !s.has(MOD_IS_REG)) {
                readMemoryOperand();
            }
        }

        if (opcode == 0x63 && w && memory) {
            used66 = false;
        }
        int srcSize = opSize;
        if (s.op == Op.MOVZX || s.op == Op.MOVSX) {
            srcSize = Math.min(s.sub, opSize);
        }

        long imm = switch (s.imm) {
            case I_B -> (byte) next();
            case I_UB -> next();
            case I_Z -> opSize == 2 ? (short) nextLe(2) : (int) nextLe(4);
            case I_V -> opSize == 2 ? (short) nextLe(2) : opSize == 4 ? (int) nextLe(4) : nextLe(8);
            case I_W -> nextLe(2);
            case I_ONE -> 1;
            case I_ENTER -> nextLe(3);
            default -> 0;
        };

        // Registers: G from ModRM.reg, E from ModRM.rm, or the register in the opcode's low bits.
        int gReg = DecodedInstruction.NO_REG;
        int eReg = DecodedInstruction.NO_REG;
        boolean byteRegNeedsRex = false;
        int dst = DecodedInstruction.K_NONE;
        int src = DecodedInstruction.K_NONE;
        switch (s.form) {
            case F_EG, F_GE, F_GEI -> {
                gReg = register(regField | (rex & 4) << 1, opSize);
                byteRegNeedsRex = opSize == 1 && rex != 0 && regField >= 4;
                dst = s.form == F_EG ? DecodedInstruction.K_E : DecodedInstruction.K_G;
                src = s.form == F_EG ? DecodedInstruction.K_G : DecodedInstruction.K_E;
            }
            case F_E -> dst = DecodedInstruction.K_E;
            case F_EI -> {
                dst = DecodedInstruction.K_E;
                src = DecodedInstruction.K_IMM;
            }
            case F_ECL -> {
                dst = DecodedInstruction.K_E;
                src = DecodedInstruction.K_CL;
            }
            case F_AI -> {
                gReg = 0;
                dst = DecodedInstruction.K_G;
                src = DecodedInstruction.K_IMM;
            }
            case F_O, F_OI -> {
                int low = opcode & 7;
                gReg = register(low | (rex & 1) << 3, opSize);
                byteRegNeedsRex = opSize == 1 && rex != 0 && low >= 4;
                dst = DecodedInstruction.K_G;
                src = s.form == F_OI ? DecodedInstruction.K_IMM : DecodedInstruction.K_NONE;
            }
            case F_I, F_J -> src = DecodedInstruction.K_IMM;
            default -> {
            }
        }
        if (hasModrm && !memory) {
            eReg = register(rmField | (rex & 1) << 3, srcSize);
            byteRegNeedsRex |= srcSize == 1 && rex != 0 && rmField >= 4;
        }
        if (s.op == Op.XCHG && s.form == F_O) {
            eReg = 0;               // XCHG r, rAX: the accumulator is the second operand
            src = DecodedInstruction.K_E;
        }

        boolean bad = op == Op.UNDEFINED && s.name.equals("(bad)");
        if (s.has(MEM_ONLY) && !memory) {
            op = Op.UNDEFINED;
            bad = true;
        } else if (lock && !(s.has(LOCKABLE) && memory)) {
            op = Op.UNDEFINED;      // LOCK is #UD except on a read-modify-write of memory
        } else if (segment != DecodedInstruction.SEG_DEFAULT && prefixes[lastSegment] != segmentPrefix) {
            op = Op.UNIMPLEMENTED;  // FS/GS followed by another segment prefix: which one applies is not documented
        } else if (op == Op.IRET && opSize != 8) {
            op = Op.UNIMPLEMENTED;  // IRET/IRETW pop a 32-/16-bit frame; only IRETQ is implemented
        } else if (plainNop || (pause && (rex & 1) == 0)) {
            op = Op.NOP;
        } else if (pause) {
            op = Op.UNIMPLEMENTED;  // F3 REX.B 90: objdump says PAUSE, the manuals do not say whether it is XCHG
        }

        Naming naming = new Naming();
        if (!bad) {
            naming.name = baseName(s, opcode, opSize, srcSize, plainNop, pause);
            naming.used66 = used66;
            naming.usedRex = usedRex(s, usedW, gReg, plainNop || pause, byteRegNeedsRex);
            naming.hle = memory && ((lock && s.has(LOCKABLE)) || (s.has(HLE) && s.form == F_EG));
            naming.xrelease = memory && s.op == Op.MOV && dst == DecodedInstruction.K_E;
            naming.pause = pause;
            naming.branch = s.has(BRANCH);
            naming.notrack = s.has(NOTRACK);
            boolean hint = s.has(HINT) && hasPrefix(0x2e) != hasPrefix(0x3e);
            if (hint) {
                naming.name += hasPrefix(0x2e) ? ",pn" : ",pt";
            }
            naming.segmentUsed = hint || (segment != DecodedInstruction.SEG_DEFAULT && memory);
            naming.used67 = memory;
        }
        // The segment of the reference decides between #SS and #GP for a non-canonical address: SS by
        // default with base RSP or RBP, else the last segment prefix's.
        int segmentOverride = lastSegment >= 0 ? prefixes[lastSegment] : 0;
        boolean stack = memory && (segmentOverride == 0x36 || (segmentOverride == 0 && (base == 4 || base == 5)));
        return new DecodedInstruction(address, p - start, naming.mnemonic(), op, s.sub, opSize, srcSize, dst, src, gReg,
                eReg, memory, base, index, scaleShift, disp, segment, stack, last67 >= 0, imm);
    }

    private void recordPrefix(int b) {
        int i = prefixCount++;
        prefixes[i] = b;
        switch (b) {
            case 0x66 -> last66 = i;
            case 0x67 -> last67 = i;
            case 0xf0 -> lock = true;
            case 0xf2 -> {
                lastF2 = i;
                lastRep = b;
            }
            case 0xf3 -> {
                lastF3 = i;
                lastRep = b;
            }
            default -> {
                lastSegment = i;
                // In 64-bit mode only FS and GS override anything; CS, DS, ES and SS prefixes are ignored.
                if (b == 0x64 || b == 0x65) {
                    segment = b == 0x64 ? DecodedInstruction.SEG_FS : DecodedInstruction.SEG_GS;
                    segmentPrefix = b;
                }
            }
        }
    }

    /** Register number for an operand of {@code size}: without any REX, byte registers 4-7 are AH, CH, DH, BH (16-19). */
    private int register(int number, int size) {
        return size == 1 && rex == 0 && number >= 4 && number < 8 ? number + 12 : number;
    }

    private void readModrm() {
        int modrm = next();
        hasModrm = true;
        mod = modrm >>> 6;
        regField = modrm >>> 3 & 7;
        rmField = modrm & 7;
    }

    private void readMemoryOperand() {
        memory = true;
        int rexB = (rex & 1) << 3;
        if (rmField == 4) {
            int sib = next();
            hasSib = true;
            scaleShift = sib >>> 6;
            int idx = (sib >>> 3 & 7) | (rex & 2) << 2;
            index = idx == 4 ? DecodedInstruction.NO_REG : idx;
            int b = sib & 7;
            if (b == 5 && mod == 0) {
                base = DecodedInstruction.NO_REG;
                disp = (int) nextLe(4);
                return;
            }
            base = b | rexB;
        } else if (rmField == 5 && mod == 0) {
            base = DecodedInstruction.RIP;
            disp = (int) nextLe(4);
            return;
        } else {
            base = rmField | rexB;
        }
        if (mod == 1) {
            disp = (byte) next();
        } else if (mod == 2) {
            disp = (int) nextLe(4);
        }
    }

    private DecodedInstruction simple(Op op, String mnemonic, int length) {
        return new DecodedInstruction(address, length, mnemonic, op, 0, 0, 0, DecodedInstruction.K_NONE,
                DecodedInstruction.K_NONE, DecodedInstruction.NO_REG, DecodedInstruction.NO_REG, false,
                DecodedInstruction.NO_REG, DecodedInstruction.NO_REG, 0, 0, DecodedInstruction.SEG_DEFAULT, false, false, 0);
    }

    // ---- objdump's name ----

    /** Which prefixes the instruction consumes; objdump prints every other prefix as a word before the name. */
    private final class Naming {
        String name = "(bad)";      // an undefined encoding consumes no prefix
        boolean used66;
        boolean used67;
        boolean segmentUsed;
        int usedRex;
        boolean hle;
        boolean xrelease;
        boolean pause;
        boolean branch;
        boolean notrack;

        String mnemonic() {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < prefixCount; i++) {
                int b = prefixes[i];
                // With a DS prefix, objdump names the last segment prefix of an indirect branch "notrack".
                boolean notrackSlot = notrack && last66 < 0 && i == lastSegment && hasPrefix(0x3e);
                boolean consumed = (b == 0x66 && i == last66 && used66)
                        || (b == 0x67 && i == last67 && used67)
                        || (i == lastSegment && segmentUsed)
                        || (i == lastF3 && pause)
                        || ((b & 0xf0) == 0x40 && usedRex == rex);
                if (notrackSlot || !consumed) {
                    sb.append(notrackSlot ? "notrack" : prefixName(b, i)).append(' ');
                }
            }
            return sb.append(name).toString();
        }

        private String prefixName(int b, int i) {
            return switch (b) {
                case 0x3e -> "ds";
                // Only the last F2 and the last F3 can be hints (HLE, MPX); repeats are plain REP prefixes.
                case 0xf2 -> i != lastF2 ? "repnz" : hle ? "xacquire" : branch ? "bnd" : "repnz";
                case 0xf3 -> i == lastF3 && (hle || (xrelease && lastRep == 0xf3)) ? "xrelease" : "repz";
                default -> Decoder.prefixName(b);
            };
        }
    }

    /** The REX bits objdump sees used (W for the operand size, R, X, B for registers), plus 0x40 if any is. */
    private int usedRex(Spec s, boolean usedW, int gReg, boolean noRegister, boolean byteRegNeedsRex) {
        int used = 0;
        if (usedW) {
            used |= 8;
        }
        if (gReg != DecodedInstruction.NO_REG && (s.form == F_EG || s.form == F_GE || s.form == F_GEI)) {
            used |= 4;
        }
        if (hasSib) {
            used |= 2;
        }
        if (hasModrm || (s.form == F_O && !noRegister) || s.form == F_OI) {
            used |= 1;
        }
        used &= rex;
        // SPL, BPL, SIL, DIL exist only with a REX prefix: naming one uses the prefix.
        return used != 0 || byteRegNeedsRex ? used | 0x40 : 0;
    }

    private boolean hasPrefix(int b) {
        for (int i = 0; i < prefixCount; i++) {
            if (prefixes[i] == b) {
                return true;
            }
        }
        return false;
    }

    private String baseName(Spec s, int opcode, int opSize, int srcSize, boolean plainNop, boolean pause) {
        if (pause) {
            return "pause";
        }
        if (plainNop) {
            return last66 >= 0 ? "xchg" : "nop";     // objdump prints 66 90 as "xchg %ax,%ax"
        }
        if (opcode >= 0xb8 && opcode <= 0xbf && opSize == 8) {
            return "movabs";
        }
        return switch (s.naming) {
            case N_MEMSFX -> memory ? s.name + sizeLetter(srcSize) : s.name;
            case N_W66 -> opSize == 2 ? s.name + "w" : s.name;
            case N_W66MEM -> opSize == 2 && memory ? s.name + "w" : s.name;
            case N_SIZED -> s.name.split("\\|")[opSize == 2 ? 0 : opSize == 4 ? 1 : 2];
            case N_MOVX -> s.name + sizeLetter(srcSize) + sizeLetter(opSize);
            default -> s.name;
        };
    }

    private static char sizeLetter(int size) {
        return switch (size) {
            case 1 -> 'b';
            case 2 -> 'w';
            case 4 -> 'l';
            default -> 'q';
        };
    }

    /** objdump's word for a prefix it does not fold into the instruction. */
    private static String prefixName(int b) {
        return switch (b) {
            case 0x26 -> "es";
            case 0x2e -> "cs";
            case 0x36 -> "ss";
            case 0x3e -> "ds";
            case 0x64 -> "fs";
            case 0x65 -> "gs";
            case 0x66 -> "data16";
            case 0x67 -> "addr32";
            case 0xf0 -> "lock";
            case 0xf2 -> "repnz";
            case 0xf3 -> "repz";
            default -> rexName(b);
        };
    }

    private static String rexName(int rex) {
        if ((rex & 0xf) == 0) {
            return "rex";
        }
        return "rex." + ((rex & 8) != 0 ? "W" : "") + ((rex & 4) != 0 ? "R" : "") + ((rex & 2) != 0 ? "X" : "")
                + ((rex & 1) != 0 ? "B" : "");
    }
}
