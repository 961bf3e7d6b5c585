package io.msrconf.filter;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A {@code struct kvm_msr_filter} as a value shared by every backend: the filter flags and up to
 * {@link #MAX_RANGES} range slots, in slot order. Slots after the last listed one are zero (empty),
 * exactly as the harness passes them to the ioctl. Nothing here is validated: invalid filters are
 * legitimate test input, and the kernel (or the model) decides what to refuse.
 *
 * <p>{@code bitmapMemory} says, per slot index, where the harness places that slot's bitmap (see
 * {@link BitmapMemory}); a slot not listed is {@link BitmapMemory#VALID_PADDED}. It lives here rather
 * than in {@link FilterRange} so that the many places that build and read ranges stay as they are,
 * and only the raw-ioctl fuzzing has to know that a bitmap pointer can fault.
 */
public record MsrFilter(int flags, List<FilterRange> ranges, Map<Integer, BitmapMemory> bitmapMemory) {

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
        // Sorted and without VALID_PADDED entries, so that equal filters compare and print equal.
        Map<Integer, BitmapMemory> placed = new TreeMap<>();
        for (Map.Entry<Integer, BitmapMemory> e : bitmapMemory.entrySet()) {
            int slot = e.getKey();
            if (slot < 0 || slot >= ranges.size()) {
                throw new IllegalArgumentException("bitmap placement for slot " + slot + ", but the filter has "
                        + ranges.size() + " range slots listed");
            }
            if (e.getValue() != BitmapMemory.VALID_PADDED) {
                if (ranges.get(slot).bitmap() == null) {
                    throw new IllegalArgumentException("slot " + slot + " has a NULL bitmap, which has no placement");
                }
                placed.put(slot, e.getValue());
            }
        }
        bitmapMemory = Collections.unmodifiableMap(placed);
    }

    /** A filter whose bitmaps are all {@link BitmapMemory#VALID_PADDED}. */
    public MsrFilter(int flags, List<FilterRange> ranges) {
        this(flags, ranges, Map.of());
    }

    /** This filter with slot bitmaps placed as given (slots not listed: {@link BitmapMemory#VALID_PADDED}). */
    public MsrFilter withBitmapMemory(Map<Integer, BitmapMemory> placement) {
        return new MsrFilter(flags, ranges, placement);
    }

    /** Where slot {@code slot}'s bitmap is placed. */
    public BitmapMemory bitmapMemory(int slot) {
        return bitmapMemory.getOrDefault(slot, BitmapMemory.VALID_PADDED);
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
            BitmapMemory placement = bitmapMemory(i);
            lines.add("  range[" + i + "] " + ranges.get(i).describe()
                    + (placement == BitmapMemory.VALID_PADDED ? "" : " (bitmap memory " + placement + ")"));
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
