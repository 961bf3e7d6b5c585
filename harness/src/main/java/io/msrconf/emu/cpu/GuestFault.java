package io.msrconf.emu.cpu;

/**
 * An exception the guest CPU raises (#GP, #PF, #UD, ...), thrown through the interpreter up to where it
 * is delivered through the IDT. No stack trace: faults are ordinary guest behaviour, not Java errors.
 */
final class GuestFault extends RuntimeException {

    private static final long serialVersionUID = 1L;

    static final int DE = 0;
    static final int BP = 3;
    static final int UD = 6;
    static final int DF = 8;
    static final int TS = 10;
    static final int NP = 11;
    static final int SS = 12;
    static final int GP = 13;
    static final int PF = 14;

    final int vector;
    final int errorCode;
    /** The faulting linear address of a #PF (loaded into CR2 when the fault is raised). */
    final long address;

    private GuestFault(int vector, int errorCode, long address) {
        super(null, null, false, false);
        this.vector = vector;
        this.errorCode = errorCode;
        this.address = address;
    }

    static GuestFault of(int vector, int errorCode) {
        return new GuestFault(vector, errorCode, 0);
    }

    static GuestFault gp(int errorCode) {
        return new GuestFault(GP, errorCode, 0);
    }

    static GuestFault pageFault(long address, int errorCode) {
        return new GuestFault(PF, errorCode, address);
    }

    @Override
    public String getMessage() {
        return describe(vector, errorCode, pushesErrorCode(vector));
    }

    /** Whether the CPU pushes an error code when it delivers this vector as an exception. */
    static boolean pushesErrorCode(int vector) {
        return vector == DF || (vector >= TS && vector <= PF) || vector == 17 || vector == 21 || vector == 29 || vector == 30;
    }

    /** "#GP(0x6b)", "#UD", "vector 0x80". */
    static String describe(int vector, int errorCode, boolean withErrorCode) {
        String[] names = {"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "vector 9", "#TS", "#NP", "#SS", "#GP",
            "#PF", "vector 15", "#MF", "#AC", "#MC", "#XM", "#VE", "#CP"};
        String name = vector < names.length ? names[vector] : String.format("vector 0x%x", vector);
        return withErrorCode ? String.format("%s(0x%x)", name, errorCode) : name;
    }
}
