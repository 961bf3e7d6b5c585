package io.msrconf.spec;

/**
 * An expected 64-bit value under a mask: {@code (actual & mask) == (value & mask)}; mask 0 accepts
 * anything. {@code negated} turns it around: the value under the mask must differ ({@link #NONZERO}).
 */
public record ValueExpectation(long value, long mask, boolean negated) {

    public static final ValueExpectation ANY = new ValueExpectation(0, 0);
    /** Any value but 0 (spec: {@code expect: nonzero}). */
    public static final ValueExpectation NONZERO = new ValueExpectation(0, -1L, true);

    public ValueExpectation(long value, long mask) {
        this(value, mask, false);
    }

    public static ValueExpectation exactly(long value) {
        return new ValueExpectation(value, -1L);
    }

    public boolean matches(long actual) {
        return ((actual & mask) == (value & mask)) != negated;
    }

    public boolean isAny() {
        return mask == 0 && !negated;
    }

    /** The opposite expectation: every value this one accepts, it refuses, and the other way round. */
    public ValueExpectation opposite() {
        return new ValueExpectation(value, mask, !negated);
    }

    public String describe() {
        if (isAny()) {
            return "any value";
        }
        if (negated) {
            return value == 0 && mask == -1L ? "a nonzero value" : "a value other than " + plain();
        }
        return plain();
    }

    private String plain() {
        return mask == -1L ? String.format("0x%x", value) : String.format("0x%x under mask 0x%x", value & mask, mask);
    }
}
