package io.msrconf.spec;

/** What the guest must end up seeing for one access, after any userspace exit was answered. */
public sealed interface GuestExpectation {

    String describe();

    /** The instruction completes; for RDMSR the value read must match. */
    record Completes(ValueExpectation value) implements GuestExpectation {
        @Override
        public String describe() {
            return value.isAny() ? "completes" : "completes with " + value.describe();
        }
    }

    /** The instruction raises this exception vector (13 = #GP). */
    record Faults(int vector) implements GuestExpectation {
        public static final int GP = 13;

        @Override
        public String describe() {
            return "faults with " + Vectors.name(vector);
        }
    }
}
