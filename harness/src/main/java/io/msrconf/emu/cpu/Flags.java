package io.msrconf.emu.cpu;

/**
 * RFLAGS bits, and the arithmetic flags the ALU instructions compute. Operands arrive masked to the
 * operand size ({@link #mask}); results are returned unmasked where the caller masks anyway.
 *
 * <p>Flags the SDM leaves undefined: AF after AND/OR/XOR/TEST/shifts is cleared, as current Intel and
 * AMD parts do; OF after multi-bit shifts follows the one-bit formula; MUL/IMUL/DIV/IDIV leave SF, ZF,
 * AF, PF unchanged. A payload must not depend on any of these.
 */
final class Flags {

    static final long CF = 1L;
    static final long FIXED = 1L << 1;
    static final long PF = 1L << 2;
    static final long AF = 1L << 4;
    static final long ZF = 1L << 6;
    static final long SF = 1L << 7;
    static final long TF = 1L << 8;
    static final long IF = 1L << 9;
    static final long DF = 1L << 10;
    static final long OF = 1L << 11;
    static final long IOPL = 3L << 12;
    static final long NT = 1L << 14;
    static final long RF = 1L << 16;
    static final long VM = 1L << 17;
    static final long AC = 1L << 18;
    static final long VIF = 1L << 19;
    static final long VIP = 1L << 20;
    static final long ID = 1L << 21;

    static final long ARITHMETIC = CF | PF | AF | ZF | SF | OF;
    /** Every flag software can set; the rest of RFLAGS is reserved (bit 1 always reads 1). */
    static final long DEFINED = ARITHMETIC | TF | IF | DF | IOPL | NT | RF | VM | AC | VIF | VIP | ID;

    private Flags() {
    }

    static long mask(int size) {
        return size == 8 ? -1L : (1L << (8 * size)) - 1;
    }

    static long signBit(int size) {
        return 1L << (8 * size - 1);
    }

    static long signExtend(long value, int size) {
        int shift = 64 - 8 * size;
        return value << shift >> shift;
    }

    /** ZF, SF and PF of a result. */
    static long zsp(long result, int size) {
        long r = result & mask(size);
        long f = r == 0 ? ZF : 0;
        if ((r & signBit(size)) != 0) {
            f |= SF;
        }
        if ((Long.bitCount(r & 0xff) & 1) == 0) {
            f |= PF;
        }
        return f;
    }

    /** Flags of a + b + carry = r. */
    static long add(long a, long b, long carry, long result, int size) {
        long r = result & mask(size);
        long f = zsp(r, size);
        if (carry == 0 ? Long.compareUnsigned(r, a) < 0 : Long.compareUnsigned(r, a) <= 0) {
            f |= CF;
        }
        if (((a ^ r) & (b ^ r) & signBit(size)) != 0) {
            f |= OF;
        }
        return f | ((a ^ b ^ r) & AF);
    }

    /** Flags of a - b - borrow = r. */
    static long sub(long a, long b, long borrow, long result, int size) {
        long r = result & mask(size);
        long f = zsp(r, size);
        if (borrow == 0 ? Long.compareUnsigned(a, b) < 0 : Long.compareUnsigned(a, b) <= 0) {
            f |= CF;
        }
        if (((a ^ b) & (a ^ r) & signBit(size)) != 0) {
            f |= OF;
        }
        return f | ((a ^ b ^ r) & AF);
    }

    /** Whether condition code {@code cc} (the low nibble of Jcc/SETcc/CMOVcc) holds. */
    static boolean condition(int cc, long rflags) {
        boolean sfNeOf = ((rflags & SF) != 0) != ((rflags & OF) != 0);
        boolean result = switch (cc >>> 1) {
            case 0 -> (rflags & OF) != 0;
            case 1 -> (rflags & CF) != 0;
            case 2 -> (rflags & ZF) != 0;
            case 3 -> (rflags & (CF | ZF)) != 0;
            case 4 -> (rflags & SF) != 0;
            case 5 -> (rflags & PF) != 0;
            case 6 -> sfNeOf;
            default -> sfNeOf || (rflags & ZF) != 0;
        };
        return result ^ ((cc & 1) != 0);
    }
}
