package io.msrconf.abi;

import java.util.Arrays;
import java.util.Optional;

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

    /** The name for a raw reason value, also for values outside the enum (a kernel could send one). */
    public static String nameOf(int bit) {
        return ofBit(bit).map(Enum::name).orElse(String.format("reason 0x%x", bit));
    }
}
