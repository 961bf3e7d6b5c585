package io.msrconf.fuzz;

import java.util.List;
import java.util.Random;

/**
 * Where a generator's random choices come from. Generators ({@link Gen}) draw only through this, so
 * the same generators run on a seeded {@link Random} (the fuzz campaign) and on a sequence of numbers
 * that jqwik generates and shrinks (the properties in the tests): shrinking the numbers towards 0 and the
 * sequence towards empty shrinks the case, because choice 0 is always the simplest option.
 */
public interface Choices {

    /** A choice in [0, bound); 0 is the simplest. {@code bound} is positive. */
    int below(int bound);

    /** Any 64-bit value; 0 is the simplest. */
    long any();

    /** Choices from a seeded random: the campaign's. */
    static Choices of(Random random) {
        return new Choices() {
            @Override
            public int below(int bound) {
                return random.nextInt(bound);
            }

            @Override
            public long any() {
                return random.nextLong();
            }
        };
    }

    /**
     * Choices read from a sequence, in order; once it is used up every choice is 0. Each number is
     * taken modulo the bound, so a smaller number is a simpler choice.
     */
    static Choices of(List<Long> sequence) {
        return new Choices() {
            private int next;

            private long take() {
                return next < sequence.size() ? sequence.get(next++) : 0;
            }

            @Override
            public int below(int bound) {
                return (int) Long.remainderUnsigned(take(), bound);
            }

            @Override
            public long any() {
                return take();
            }
        };
    }
}
