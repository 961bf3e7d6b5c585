package io.msrconf.vcpu;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Guest-physical memory from 0 to {@link #size()}, as the harness reads and writes it: KVM's memory slot
 * (in this process, or in the guest kernel an agent runs in) or the emulator's RAM. Values are
 * little-endian, as on x86. An access outside the memory is refused with IllegalArgumentException,
 * never silently clamped: addresses derived from guest-written data are untrusted.
 */
public interface GuestMemory {

    long size();

    byte[] read(long gpa, int length);

    void write(long gpa, byte[] bytes);

    /** Sets {@code length} bytes from {@code gpa} to {@code value}. */
    void fill(long gpa, long length, byte value);

    /** The raw 32 bits; use {@link Integer#toUnsignedLong} where the value is unsigned. */
    default int readU32(long gpa) {
        return ByteBuffer.wrap(read(gpa, 4)).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
    }

    default long readU64(long gpa) {
        return ByteBuffer.wrap(read(gpa, 8)).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    }

    default void writeU32(long gpa, int value) {
        write(gpa, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, value).array());
    }

    default void writeU64(long gpa, long value) {
        write(gpa, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, value).array());
    }

    /** Checks that [gpa, gpa+length) lies inside [0, size); for implementations. */
    static void checkRange(long size, long gpa, long length) {
        if (gpa < 0 || length < 0 || gpa > size - length) {
            throw new IllegalArgumentException(String.format(
                    "guest access of %d bytes at 0x%x is outside guest memory [0x0, 0x%x)", length, gpa, size));
        }
    }
}
