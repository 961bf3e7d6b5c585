package io.msrconf.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A generator: draws a value from {@link Choices}. Plain Java, so that the product's fuzz campaign needs
 * no test framework; the tests drive the same generators from jqwik. The combinators put the simplest
 * option first, so that a choice of 0 means "simplest" and shrinking works.
 */
@FunctionalInterface
public interface Gen<T> {

    T draw(Choices c);

    default <R> Gen<R> map(Function<T, R> f) {
        return c -> f.apply(draw(c));
    }

    static <T> Gen<T> just(T value) {
        return c -> value;
    }

    /** One of the values, the first the simplest. */
    @SafeVarargs
    static <T> Gen<T> of(T... values) {
        List<T> list = List.of(values);
        return c -> list.get(c.below(list.size()));
    }

    static <T> Gen<T> of(List<T> values) {
        List<T> list = List.copyOf(values);
        return c -> list.get(c.below(list.size()));
    }

    /** An int in [min, max], min the simplest. */
    static Gen<Integer> between(int min, int max) {
        long span = (long) max - min + 1;
        return c -> (int) (min + (span > Integer.MAX_VALUE ? Integer.toUnsignedLong((int) c.any()) % span : c.below((int) span)));
    }

    /** Any int. */
    static Gen<Integer> anyInt() {
        return c -> (int) c.any();
    }

    /** Any long. */
    static Gen<Long> anyLong() {
        return Choices::any;
    }

    /** A weighted choice between generators, the first the simplest. */
    @SafeVarargs
    static <T> Gen<T> frequency(Weighted<T>... options) {
        int total = 0;
        for (Weighted<T> w : options) {
            total += w.weight();
        }
        int sum = total;
        return c -> {
            int pick = c.below(sum);
            for (Weighted<T> w : options) {
                if (pick < w.weight()) {
                    return w.gen().draw(c);
                }
                pick -= w.weight();
            }
            throw new IllegalStateException("unreachable");
        };
    }

    static <T> Weighted<T> weighted(int weight, Gen<T> gen) {
        return new Weighted<>(weight, gen);
    }

    /** A generator with its weight in {@link #frequency}. */
    record Weighted<T>(int weight, Gen<T> gen) {
    }

    /** A list of {@code min} to {@code max} elements, shortest the simplest. */
    default Gen<List<T>> list(int min, int max) {
        // Each element past min is preceded by its own "one more?" choice (0 = no more), so that dropping an
        // element from the choices drops exactly that element: shrinking removes elements one at a time without
        // shifting what the others read. Continuing has odds (k-1)/k, k = half the span + 1: about half-full lists.
        int k = Math.max(2, (max - min) / 2 + 1);
        return c -> {
            List<T> out = new ArrayList<>();
            for (int i = 0; i < min; i++) {
                out.add(draw(c));
            }
            while (out.size() < max && c.below(k) != 0) {
                out.add(draw(c));
            }
            return out;
        };
    }

    /** {@code min} to {@code max} random bytes. */
    static Gen<byte[]> bytes(int min, int max) {
        return c -> {
            byte[] out = new byte[min + c.below(max - min + 1)];
            for (int i = 0; i < out.length; i++) {
                out[i] = (byte) c.below(256);
            }
            return out;
        };
    }

    /** A subset of the values, each in or out. */
    static <T> Gen<List<T>> subsetOf(List<T> values) {
        return c -> {
            List<T> out = new ArrayList<>();
            for (T v : values) {
                if (c.below(2) == 1) {
                    out.add(v);
                }
            }
            return out;
        };
    }
}
