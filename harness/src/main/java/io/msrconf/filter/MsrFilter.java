package io.msrconf.filter;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@code struct kvm_msr_filter} as a value shared by every backend: the filter flags and up to
 * {@link #MAX_RANGES} range slots, in slot order. Slots after the last listed one are zero (empty),
 * exactly as the harness passes them to the ioctl. Nothing here is validated: invalid filters are
 * legitimate test input, and the kernel (or the model) decides what to refuse.
 */
public record MsrFilter(int flags, List<FilterRange> ranges) {

    // include/uapi/linux/kvm.h (x86 asm/kvm.h)
    public static final int DEFAULT_ALLOW = 0;
    public static final int DEFAULT_DENY = 1;
    public static final int RANGE_READ = 1;
    public static final int RANGE_WRITE = 2;
    public static final int MAX_RANGES = 16;
    public static final int MAX_BITMAP_BYTES = 0x600;
    /** The largest nmsrs whose bitmap fits in {@link #MAX_BITMAP_BYTES}. */
    public static final int MAX_NMSRS = MAX_BITMAP_BYTES * 8;

    public MsrFilter {
        if (ranges.size() > MAX_RANGES) {
            throw new IllegalArgumentException("struct kvm_msr_filter has " + MAX_RANGES + " range slots, got " + ranges.size());
        }
        ranges = List.copyOf(ranges);
    }

    /** Empty ranges, default allow: the documented way to remove filtering. */
    public static MsrFilter allowAll() {
        return new MsrFilter(DEFAULT_ALLOW, List.of());
    }

    public boolean defaultDeny() {
        return (flags & DEFAULT_DENY) != 0;
    }

    /** A readable multi-line rendering, for reports and failure messages. */
    public String describe() {
        List<String> lines = new ArrayList<>();
        int unknown = flags & ~DEFAULT_DENY;
        lines.add("default " + (defaultDeny() ? "DENY" : "ALLOW")
                + (unknown != 0 ? String.format(" (+ unknown filter flags 0x%x)", unknown) : ""));
        for (int i = 0; i < ranges.size(); i++) {
            lines.add("  range[" + i + "] " + ranges.get(i).describe());
        }
        if (ranges.isEmpty()) {
            lines.add("  no ranges");
        }
        return String.join("\n", lines);
    }

    @Override
    public String toString() {
        return describe();
    }
}
