package io.msrconf.report;

import io.msrconf.filter.FilterRange;
import io.msrconf.filter.MsrFilter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;

/**
 * The bytes KVM_X86_SET_MSR_FILTER receives for a filter: the 392-byte struct kvm_msr_filter (bitmap
 * pointers shown by what they point at, since the address changes every run) and each bitmap as
 * the kernel copies it (whole longs, zero-padded as the harness passes it). For the report, so repeats are folded as
 * hexdump folds them: consecutive empty ranges after the first become one line, and a bitmap line repeated becomes
 * "*" and the offset where the repeat ends (most filters leave 15 ranges empty; most bitmaps are runs of 00 or ff).
 */
public final class FilterDump {

    private static final int STRUCT_SIZE = 8 + MsrFilter.MAX_RANGES * 24;   // flags + padding, 16 ranges of 24 bytes

    private FilterDump() {
    }

    public static String hex(MsrFilter filter) {
        HexFormat hex = HexFormat.ofDelimiter(" ");
        ByteBuffer head = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(0, filter.flags());
        StringBuilder sb = new StringBuilder("struct kvm_msr_filter (" + STRUCT_SIZE + " bytes):\n");
        sb.append(String.format("  +000  %-71s  flags, padding%n", hex.formatHex(head.array())));
        for (int i = 0; i < MsrFilter.MAX_RANGES; i++) {
            FilterRange r = range(filter, i);
            if (i > 0 && allZero(r) && allZero(range(filter, i - 1))) {
                int last = i;
                while (last + 1 < MsrFilter.MAX_RANGES && allZero(range(filter, last + 1))) {
                    last++;
                }
                sb.append(String.format("  *      range[%d]%s: all 00 like range[%d] (to +%03x)%n", i, last > i ? " to range[" + last + "]" : "",
                        i - 1, 8 + last * 24 + 23));
                i = last;
                continue;
            }
            ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putInt(0, r.flags()).putInt(4, r.nmsrs()).putInt(8, r.base());
            // The pointer's value changes every run: shown as what it points at.
            String pointer = r.bitmap() == null ? "00 00 00 00 00 00 00 00" : "pp pp pp pp pp pp pp pp";
            sb.append(String.format("  +%03x  %s %s  range[%d]: flags, nmsrs, base, padding, bitmap%s%n", 8 + i * 24,
                    hex.formatHex(b.array()), pointer, i, r.bitmap() == null ? " = NULL" : " -> bitmap " + i));
        }
        for (int i = 0; i < filter.ranges().size(); i++) {
            FilterRange r = filter.ranges().get(i);
            if (r.bitmap() != null && !r.isEmpty()) {
                int copied = (int) Math.min(FilterRange.kernelCopyBytes(r.nmsrs()), MsrFilter.MAX_BITMAP_BYTES);
                byte[] padded = new byte[Math.max(copied, 0)];
                System.arraycopy(r.bitmap(), 0, padded, 0, Math.min(padded.length, r.bitmap().length));
                sb.append("bitmap ").append(i).append(" (").append(padded.length).append(" bytes copied by the kernel):\n");
                String previous = null;
                for (int off = 0; off < padded.length; off += 32) {
                    String line = hex.formatHex(padded, off, Math.min(padded.length, off + 32));
                    if (line.equals(previous)) {
                        int end = off;
                        while (end + 32 < padded.length && hex.formatHex(padded, end + 32, Math.min(padded.length, end + 64)).equals(line)) {
                            end += 32;
                        }
                        sb.append(String.format("  *      the line above again, to +%03x%n", Math.min(padded.length, end + 32) - 1));
                        off = end;
                        continue;
                    }
                    sb.append(String.format("  +%03x  %s%n", off, line));
                    previous = line;
                }
            }
        }
        return sb.toString();
    }

    private static FilterRange range(MsrFilter filter, int i) {
        return i < filter.ranges().size() ? filter.ranges().get(i) : new FilterRange(0, 0, 0, null);
    }

    /** A slot the kernel sees as 24 zero bytes: no flags, no MSRs, base 0, a NULL bitmap. */
    private static boolean allZero(FilterRange r) {
        return r.flags() == 0 && r.nmsrs() == 0 && r.base() == 0 && r.bitmap() == null;
    }
}
