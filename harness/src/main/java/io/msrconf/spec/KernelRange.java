package io.msrconf.spec;

/**
 * The kernels a case applies to: {@code since <= v < before}; {@code before == null} means no upper
 * bound. The MSR filter itself exists since 5.10, the default lower bound.
 */
public record KernelRange(KernelVersion since, KernelVersion before) {

    public static final KernelVersion FILTER_INTRODUCED = new KernelVersion(5, 10, 0);
    public static final KernelRange DEFAULT = new KernelRange(FILTER_INTRODUCED, null);

    public boolean contains(KernelVersion v) {
        return v.compareTo(since) >= 0 && (before == null || v.compareTo(before) < 0);
    }

    public String describe() {
        return ">= " + since + (before != null ? ", < " + before : "");
    }
}
