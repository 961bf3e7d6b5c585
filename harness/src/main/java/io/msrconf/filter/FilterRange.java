package io.msrconf.filter;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * One {@code struct kvm_msr_filter_range}, in its raw form: any flags, any nmsrs, and a bitmap that
 * may be shorter or longer than nmsrs needs, or absent ({@code bitmap == null} is a NULL pointer).
 * The raw form is what the ioctl-validation cases need; {@link #allowing} builds the usual valid one.
 *
 * <p>Fields are u32 in the kernel; Java ints are read as unsigned wherever it matters.
 */
public record FilterRange(int flags, int nmsrs, int base, byte[] bitmap) {

    /** A range whose bitmap has exactly nmsrs bits, with the given MSR indexes allowed (bit = 1). */
    public static FilterRange allowing(int flags, int base, int nmsrs, int... allowed) {
        byte[] bitmap = new byte[bitmapBytesFor(nmsrs)];
        for (int msr : allowed) {
            long bit = Integer.toUnsignedLong(msr) - Integer.toUnsignedLong(base);
            if (bit < 0 || bit >= Integer.toUnsignedLong(nmsrs)) {
                throw new IllegalArgumentException(String.format(
                        "MSR 0x%x is outside the range [0x%x, 0x%x)", msr, base, Integer.toUnsignedLong(base) + Integer.toUnsignedLong(nmsrs)));
            }
            bitmap[(int) (bit / 8)] |= (byte) (1 << (bit % 8));
        }
        return new FilterRange(flags, nmsrs, base, bitmap);
    }

    /** Bytes needed for nmsrs bits (the kernel itself copies whole longs: see {@link #kernelCopyBytes}). */
    public static int bitmapBytesFor(int nmsrs) {
        return (int) ((Integer.toUnsignedLong(nmsrs) + 7) / 8);
    }

    /** What kvm_add_msr_filter copies from userspace: BITS_TO_LONGS(nmsrs) * sizeof(long). */
    public static long kernelCopyBytes(int nmsrs) {
        return (Integer.toUnsignedLong(nmsrs) + 63) / 64 * 8;
    }

    public boolean isEmpty() {
        return nmsrs == 0;
    }

    /**
     * The bitmap as a transport places a {@link BitmapMemory#VALID_PADDED} one: zero-padded to what the
     * kernel copies (whole longs for nmsrs bits, never more than the 0x600 bytes it accepts), so that a
     * bitmap shorter than nmsrs reads as denying, the way {@link #bitFor} models it, and the copy never
     * reads past it. At least one byte. Null for a null bitmap.
     */
    public byte[] kernelPaddedBitmap() {
        if (bitmap == null) {
            return null;
        }
        long kernelReads = Math.min(kernelCopyBytes(nmsrs), MsrFilter.MAX_BITMAP_BYTES);
        byte[] padded = new byte[(int) Math.max(1, Math.max(bitmap.length, kernelReads))];
        System.arraycopy(bitmap, 0, padded, 0, bitmap.length);
        return padded;
    }

    /** Bit {@code msr - base} of the bitmap, as the kernel's test_bit reads it (LSB first, little-endian longs). */
    public boolean bitFor(int msr) {
        long bit = Integer.toUnsignedLong(msr) - Integer.toUnsignedLong(base);
        return bitmap != null && bit >= 0 && bit / 8 < bitmap.length && (bitmap[(int) (bit / 8)] >> (bit % 8) & 1) != 0;
    }

    public String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append("flags=").append(flagNames(flags))
          .append(" base=0x").append(Integer.toHexString(base))
          .append(" nmsrs=").append(Integer.toUnsignedString(nmsrs));
        if (bitmap == null) {
            sb.append(" bitmap=NULL");
        } else {
            sb.append(" bitmap=").append(bitmap.length).append(" bytes");
            if (bitmap.length <= 16) {
                sb.append(" [").append(HexFormat.ofDelimiter(" ").formatHex(bitmap)).append(']');
            }
        }
        return sb.toString();
    }

    static String flagNames(int flags) {
        if (flags == 0) {
            return "0";
        }
        StringBuilder sb = new StringBuilder();
        if ((flags & MsrFilter.RANGE_READ) != 0) {
            sb.append("READ");
        }
        if ((flags & MsrFilter.RANGE_WRITE) != 0) {
            sb.append(sb.length() > 0 ? "|" : "").append("WRITE");
        }
        int unknown = flags & ~(MsrFilter.RANGE_READ | MsrFilter.RANGE_WRITE);
        if (unknown != 0) {
            sb.append(sb.length() > 0 ? "|" : "").append(String.format("0x%x", unknown));
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FilterRange r && r.flags == flags && r.nmsrs == nmsrs && r.base == base
                && Arrays.equals(r.bitmap, bitmap);
    }

    @Override
    public int hashCode() {
        return (flags * 31 + nmsrs) * 31 + base + Arrays.hashCode(bitmap);
    }

    @Override
    public String toString() {
        return "FilterRange{" + describe() + "}";
    }
}
