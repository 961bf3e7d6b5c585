package io.msrconf.emu.cpu;

import io.msrconf.vcpu.GuestMemory;
import io.msrconf.vcpu.VcpuExit;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Guest physical memory: one byte array from guest physical address 0, little-endian like x86.
 *
 * <p>The public accessors are the harness's view and are bounds-checked: an address outside the
 * RAM is a harness bug and throws {@link IllegalArgumentException} naming it. The guest's own
 * accesses go through the interpreter, which turns an access outside the RAM into
 * {@link VcpuExit.Mmio}, as KVM turns an access no memslot backs into KVM_EXIT_MMIO.
 *
 * <p>The interpreter caches what it derives from guest memory (decoded instructions, translations)
 * and asks the RAM to watch the 4 KiB frames it derived them from: any write to a watched frame,
 * by the guest or by the harness, bumps {@link #watchedWrites()}, and the caches are dropped.
 */
public final class GuestRam implements GuestMemory {

    static final int FRAME_SHIFT = 12;
    private static final VarHandle LE16 = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LE32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LE64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final byte[] bytes;
    private final long[] watched;
    private int watchedWrites;

    public GuestRam(long size) {
        if (size <= 0 || size > Integer.MAX_VALUE || (size & ((1 << FRAME_SHIFT) - 1)) != 0) {
            throw new IllegalArgumentException(String.format(
                    "guest RAM size 0x%x must be a positive multiple of 4 KiB below 2 GiB", size));
        }
        this.bytes = new byte[(int) size];
        this.watched = new long[(int) ((size >>> FRAME_SHIFT) + 63) / 64];
    }

    @Override
    public long size() {
        return bytes.length;
    }

    /** Whether [gpa, gpa + length) lies inside the RAM. */
    public boolean contains(long gpa, long length) {
        return gpa >= 0 && length >= 0 && gpa <= bytes.length - length;
    }

    public int readU8(long gpa) {
        return bytes[check(gpa, 1)] & 0xff;
    }

    public int readU16(long gpa) {
        return (int) readLe(check(gpa, 2), 2);
    }

    @Override
    public int readU32(long gpa) {
        return (int) readLe(check(gpa, 4), 4);
    }

    @Override
    public long readU64(long gpa) {
        return readLe(check(gpa, 8), 8);
    }

    @Override
    public byte[] read(long gpa, int length) {
        int at = check(gpa, length);
        byte[] out = new byte[length];
        System.arraycopy(bytes, at, out, 0, length);
        return out;
    }

    public void writeU8(long gpa, int value) {
        writeLe(check(gpa, 1), 1, value);
    }

    public void writeU16(long gpa, int value) {
        writeLe(check(gpa, 2), 2, value);
    }

    @Override
    public void writeU32(long gpa, int value) {
        writeLe(check(gpa, 4), 4, value);
    }

    @Override
    public void writeU64(long gpa, long value) {
        writeLe(check(gpa, 8), 8, value);
    }

    @Override
    public void write(long gpa, byte[] data) {
        int at = check(gpa, data.length);
        noteWrite(at, data.length);
        System.arraycopy(data, 0, bytes, at, data.length);
    }

    @Override
    public void fill(long gpa, long length, byte value) {
        int at = check(gpa, length);
        noteWrite(at, (int) length);
        java.util.Arrays.fill(bytes, at, at + (int) length, value);
    }

    private int check(long gpa, long length) {
        if (!contains(gpa, length)) {
            throw new IllegalArgumentException(String.format(
                    "guest physical access of %d byte(s) at 0x%x is outside the guest RAM [0, 0x%x)", length, gpa, bytes.length));
        }
        return (int) gpa;
    }

    // ---- the interpreter's unchecked side: callers have checked contains() ----

    /** Little-endian value of {@code size} (1 to 8) bytes at {@code at}, zero-extended. */
    long readLe(int at, int size) {
        return switch (size) {
            case 1 -> bytes[at] & 0xffL;
            case 2 -> (short) LE16.get(bytes, at) & 0xffffL;
            case 4 -> (int) LE32.get(bytes, at) & 0xffffffffL;
            case 8 -> (long) LE64.get(bytes, at);
            default -> {
                long v = 0;
                for (int i = size - 1; i >= 0; i--) {
                    v = v << 8 | (bytes[at + i] & 0xff);
                }
                yield v;
            }
        };
    }

    /** Writes the low {@code size} (1 to 8) bytes of {@code value} at {@code at}, little-endian. */
    void writeLe(int at, int size, long value) {
        noteWrite(at, size);
        switch (size) {
            case 1 -> bytes[at] = (byte) value;
            case 2 -> LE16.set(bytes, at, (short) value);
            case 4 -> LE32.set(bytes, at, (int) value);
            case 8 -> LE64.set(bytes, at, value);
            default -> {
                for (int i = 0; i < size; i++) {
                    bytes[at + i] = (byte) (value >>> (8 * i));
                }
            }
        }
    }

    /** Copies up to {@code length} bytes at {@code at} into {@code dst}; the caller bounds the range. */
    void copyOut(int at, byte[] dst, int dstOffset, int length) {
        System.arraycopy(bytes, at, dst, dstOffset, length);
    }

    void watch(long gpa) {
        int frame = (int) (gpa >>> FRAME_SHIFT);
        watched[frame >>> 6] |= 1L << frame;
    }

    int watchedWrites() {
        return watchedWrites;
    }

    private void noteWrite(int at, int length) {
        if (length == 0) {
            return;
        }
        int first = at >>> FRAME_SHIFT;
        int last = (at + length - 1) >>> FRAME_SHIFT;
        for (int f = first; f <= last; f++) {
            if ((watched[f >>> 6] & 1L << f) != 0) {
                watchedWrites++;
                return;
            }
        }
    }
}
