package io.msrconf.abi;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/** The {@code KVM_MSR_EXIT_REASON_*} bits: why KVM sent a guest MSR access to userspace. */
public enum ExitReason {
    INVAL(1),
    UNKNOWN(2),
    FILTER(4);

    public final int bit;

    ExitReason(int bit) {
        this.bit = bit;
    }

    public static Optional<ExitReason> ofBit(int bit) {
        return Arrays.stream(values()).filter(r -> r.bit == bit).findFirst();
    }

    /** The reasons whose bits a mask has (bits outside the enum are left out). */
    public static Set<ExitReason> ofMask(int mask) {
        Set<ExitReason> reasons = EnumSet.noneOf(ExitReason.class);
        Arrays.stream(values()).filter(r -> (mask & r.bit) != 0).forEach(reasons::add);
        return reasons;
    }

    /** The name for a raw reason value, also for values outside the enum (a kernel could send one). */
    public static String nameOf(int bit) {
        return ofBit(bit).map(Enum::name).orElse(String.format("reason 0x%x", bit));
    }
}
