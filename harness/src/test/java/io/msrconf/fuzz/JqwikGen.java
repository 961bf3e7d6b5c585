package io.msrconf.fuzz;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/**
 * The product's generators as jqwik arbitraries: jqwik generates and shrinks a sequence of numbers, the
 * generator reads its choices from it. A shorter sequence or smaller numbers are simpler choices
 * ({@link Choices}), so jqwik's shrinking shrinks the generated case.
 */
final class JqwikGen {

    /** More choices than any generated case reads; what is missing reads as 0, the simplest choice. */
    private static final int MAX_CHOICES = 1500;

    private JqwikGen() {
    }

    static <T> Arbitrary<T> of(Gen<T> gen) {
        return Arbitraries.longs().list().ofMaxSize(MAX_CHOICES).map(choices -> gen.draw(Choices.of(choices)));
    }
}
