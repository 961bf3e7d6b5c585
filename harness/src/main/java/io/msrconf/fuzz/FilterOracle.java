package io.msrconf.fuzz;

import io.msrconf.abi.Msr;
import io.msrconf.filter.BitmapMemory;
import io.msrconf.filter.FilterRange;
import io.msrconf.filter.MsrFilter;
import io.msrconf.abi.Errno;
import io.msrconf.spec.MsrOp;

/**
 * The filter decision computed from the filter alone: KVM_X86_SET_MSR_FILTER's validation and
 * kvm_msr_allowed(), written again from the kernel text rather than taken from the emulator's
 * FilterModel, so that the property compares two independent readings of the same rules.
 */
public final class FilterOracle {

    private static final long U32 = 0xffff_ffffL;

    private FilterOracle() {
    }

    /** The errno KVM_X86_SET_MSR_FILTER returns for this filter, 0 when it installs it (kernel >= 5.19 order). */
    public static int errno(MsrFilter filter) {
        if ((filter.flags() & ~MsrFilter.DEFAULT_DENY) != 0) {
            return Errno.EINVAL;
        }
        boolean allEmpty = filter.ranges().stream().allMatch(r -> r.nmsrs() == 0);
        if (allEmpty && (filter.flags() & MsrFilter.DEFAULT_DENY) != 0) {
            return Errno.EINVAL;   // a filter that denies everything is refused, not installed
        }
        // Ranges are copied in slot order, so the first bad slot decides the errno.
        for (int slot = 0; slot < filter.ranges().size(); slot++) {
            FilterRange r = filter.ranges().get(slot);
            if (r.nmsrs() == 0) {
                continue;
            }
            int flags = r.flags();
            if (flags == 0 || (flags & ~(MsrFilter.RANGE_READ | MsrFilter.RANGE_WRITE)) != 0) {
                return Errno.EINVAL;
            }
            long copiedBytes = ((r.nmsrs() & U32) + 63) / 64 * 8;   // BITS_TO_LONGS(nmsrs) * sizeof(long)
            if (copiedBytes > MsrFilter.MAX_BITMAP_BYTES) {
                return Errno.EINVAL;
            }
            if (r.bitmap() == null || !copyable(filter.bitmapMemory(slot), r.bitmap().length, copiedBytes)) {
                return Errno.EFAULT;
            }
        }
        return 0;
    }

    /**
     * Whether copy_from_user() of {@code copiedBytes} from the bitmap succeeds: a short bitmap is
     * followed by an inaccessible page, so only its own bytes can be read; an unmapped one has none.
     */
    private static boolean copyable(BitmapMemory where, int givenBytes, long copiedBytes) {
        return switch (where) {
            case VALID_PADDED -> true;
            case SHORT -> copiedBytes <= givenBytes;
            case UNMAPPED, WILD -> false;
        };
    }

    /**
     * Whether a guest access to {@code index} passes the filter.
     *
     * @param installed the filter in force, or null when no filter was ever accepted
     */
    public static boolean allowed(MsrFilter installed, int index, MsrOp op) {
        long msr = index & U32;
        if (Msr.isX2apic(index)) {
            return true;   // "x2APIC MSRs do not support filtering"
        }
        if (installed == null) {
            return true;
        }
        int type = op.writes() ? MsrFilter.RANGE_WRITE : MsrFilter.RANGE_READ;
        for (FilterRange r : installed.ranges()) {
            long start = r.base() & U32;
            long end = (start + (r.nmsrs() & U32)) & U32;   // u32 end: a range that wraps past 0xffffffff matches nothing
            if ((r.flags() & type) != 0 && msr >= start && msr < end) {
                // The harness zero-pads a short bitmap to the bytes the kernel copies: missing bits deny.
                long bit = msr - start;
                return bit / 8 < r.bitmap().length && (r.bitmap()[(int) (bit / 8)] >> (int) (bit % 8) & 1) != 0;
            }
        }
        return !installed.defaultDeny();
    }
}
