package io.msrconf.spec;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The kernels a case applies to: {@code since <= v < before}; {@code before == null} means no upper
 * bound. The MSR filter itself exists since 5.10, the default lower bound.
 *
 * <p>{@code backported} names stable releases that received the change at the range's one bound
 * earlier than mainline did: with {@code since: 5.12, backported: [5.10.27]}, a 5.10.y kernel is in the
 * range from 5.10.27 on; with {@code before: 5.18, backported: [5.15.40]}, a 5.15.y kernel leaves the
 * range at 5.15.40. A backport moves the upper bound when there is one, else the lower bound.
 */
public record KernelRange(KernelVersion since, KernelVersion before, List<KernelVersion> backported) {

    public static final KernelVersion FILTER_INTRODUCED = new KernelVersion(5, 10, 0);
    public static final KernelRange DEFAULT = new KernelRange(FILTER_INTRODUCED, null);

    public KernelRange {
        backported = List.copyOf(backported);
    }

    public KernelRange(KernelVersion since, KernelVersion before) {
        this(since, before, List.of());
    }

    public boolean contains(KernelVersion v) {
        Optional<KernelVersion> sameSeries = backported.stream()
                .filter(b -> b.major() == v.major() && b.minor() == v.minor()).findFirst();
        if (sameSeries.isPresent()) {
            boolean changed = v.compareTo(sameSeries.get()) >= 0;
            return before == null ? changed : !changed;
        }
        return v.compareTo(since) >= 0 && (before == null || v.compareTo(before) < 0);
    }

    public String describe() {
        String base = ">= " + since + (before != null ? ", < " + before : "");
        if (backported.isEmpty()) {
            return base;
        }
        return base + " (in stable series: " + backported.stream()
                .map(b -> (before == null ? ">= " : "< ") + b).collect(Collectors.joining(", ")) + ")";
    }
}
