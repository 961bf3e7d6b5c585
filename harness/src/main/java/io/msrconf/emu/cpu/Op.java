package io.msrconf.emu.cpu;

/** What the executor does with a decoded instruction; the decoder maps each opcode it knows to one. */
enum Op {
    /** ADD, OR, ADC, SBB, AND, SUB, XOR, CMP: {@code sub} is the ModRM.reg-style index 0-7. */
    ALU,
    TEST,
    MOV,
    MOVZX,
    MOVSX,
    LEA,
    XCHG,
    INC,
    DEC,
    NOT,
    NEG,
    /** One-operand MUL/IMUL/DIV/IDIV on rDX:rAX. */
    MUL,
    IMUL1,
    DIV,
    IDIV,
    /** Two- and three-operand IMUL ({@code sub} 1): dst = src * (sub == 1 ? imm : dst). */
    IMUL,
    /** ROL, ROR, SHL, SHR, SAR: {@code sub} is the ModRM.reg of group 2. */
    SHIFT,
    PUSH,
    POP,
    JMP,
    /** {@code sub} is the condition code (the low nibble of the opcode). */
    JCC,
    CALL,
    RET,
    JMP_INDIRECT,
    CALL_INDIRECT,
    CMOV,
    SETCC,
    /** CBW/CWDE/CDQE (objdump: cbtw, cwtl, cltq). */
    WIDEN_ACC,
    /** CWD/CDQ/CQO (objdump: cwtd, cltd, cqto). */
    SIGN_EXTEND_ACC,
    LEAVE,
    PUSHF,
    POPF,
    NOP,
    CLC,
    STC,
    CMC,
    CLD,
    STD,
    CLI,
    STI,
    HLT,
    IN,
    OUT,
    RDMSR,
    WRMSR,
    /** Natively, the time-stamp counter ({@link MsrPort#tsc()}); behind KVM's forced-emulation prefix, em_rdtsc(). */
    RDTSC,
    IRET,
    INT3,
    INT,
    LGDT,
    LIDT,
    SGDT,
    SIDT,
    /** An opcode the decoder knows to be undefined here: #UD (UD2, and what objdump prints as "(bad)"). */
    UNDEFINED,
    /** More than 15 bytes: #GP(0). */
    TOO_LONG,
    /** Known to the decoder (it has a name and usually a length), not executed by this interpreter. */
    UNIMPLEMENTED,
    /** Not known to the decoder at all. */
    UNKNOWN,
}
