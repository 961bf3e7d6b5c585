package io.msrconf.spec;

/** An expected 64-bit value under a mask: {@code (actual & mask) == (value & mask)}; mask 0 accepts anything. */
public record ValueExpectation(long value, long mask) {

    public static final ValueExpectation ANY = new ValueExpectation(0, 0);

    public static ValueExpectation exactly(long value) {
        return new ValueExpectation(value, -1L);
    }

    public boolean matches(long actual) {
        return (actual & mask) == (value & mask);
    }

    public boolean isAny() {
        return mask == 0;
    }

    public String describe() {
        if (isAny()) {
            return "any value";
        }
        return mask == -1L ? String.format("0x%x", value) : String.format("0x%x under mask 0x%x", value & mask, mask);
    }
}
