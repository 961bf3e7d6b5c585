package io.msrconf.kvm.local;

import io.msrconf.vcpu.GuestMemory;
import com.sun.jna.Pointer;

/**
 * The anonymous mapping behind memory slot 0, guest-physical address 0 up to {@link #size()}.
 * Owned by its {@link LocalVm}, which unmaps it on close; access after that is refused rather than
 * crashing the JVM. Addresses are guest-physical, values little-endian (x86-64 native order, so
 * JNA's native accessors are already the guest's byte order).
 */
public final class MappedGuestMemory implements GuestMemory {

    private final Pointer base;
    private final long size;
    private boolean unmapped;

    MappedGuestMemory(Pointer base, long size) {
        this.base = base;
        this.size = size;
    }

    /** The host address of guest-physical 0. */
    public Pointer pointer() {
        return base;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public byte[] read(long gpa, int length) {
        return base.getByteArray(check(gpa, length), length);
    }

    @Override
    public void write(long gpa, byte[] bytes) {
        base.write(check(gpa, bytes.length), bytes, 0, bytes.length);
    }

    public int readU8(long gpa) {
        return Byte.toUnsignedInt(base.getByte(check(gpa, 1)));
    }

    public void writeU8(long gpa, int value) {
        base.setByte(check(gpa, 1), (byte) value);
    }

    public int readU16(long gpa) {
        return Short.toUnsignedInt(base.getShort(check(gpa, 2)));
    }

    public void writeU16(long gpa, int value) {
        base.setShort(check(gpa, 2), (short) value);
    }

    /** The raw 32 bits; use {@link Integer#toUnsignedLong} where the value is unsigned. */
    @Override
    public int readU32(long gpa) {
        return base.getInt(check(gpa, 4));
    }

    @Override
    public void writeU32(long gpa, int value) {
        base.setInt(check(gpa, 4), value);
    }

    @Override
    public long readU64(long gpa) {
        return base.getLong(check(gpa, 8));
    }

    @Override
    public void writeU64(long gpa, long value) {
        base.setLong(check(gpa, 8), value);
    }

    @Override
    public void fill(long gpa, long length, byte value) {
        check(gpa, length);
        base.setMemory(gpa, length, value);
    }

    void unmap() {
        if (!unmapped) {
            unmapped = true;
            Sys.munmap(base, size);
        }
    }

    /** Returns gpa, which is also the offset from {@link #base}, once the access is known to fit. */
    private long check(long gpa, long length) {
        if (unmapped) {
            throw new IllegalStateException("guest memory is unmapped (its VM was closed)");
        }
        GuestMemory.checkRange(size, gpa, length);
        return gpa;
    }
}
