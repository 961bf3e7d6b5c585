package io.msrconf.report;

import io.msrconf.filter.FilterRange;
import io.msrconf.filter.MsrFilter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;

/**
 * The bytes KVM_X86_SET_MSR_FILTER receives for a filter: the 392-byte struct kvm_msr_filter (bitmap
 * pointers shown by what they point at, since the address changes every run) and each bitmap as
 * the kernel copies it (whole longs, zero-padded as the harness passes it). For the report.
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
            FilterRange r = i < filter.ranges().size() ? filter.ranges().get(i) : new FilterRange(0, 0, 0, null);
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
                for (int off = 0; off < padded.length; off += 32) {
                    sb.append(String.format("  +%03x  %s%n", off, hex.formatHex(padded, off, Math.min(padded.length, off + 32))));
                }
            }
        }
        return sb.toString();
    }
}
