package io.msrconf.emu.model;

import io.msrconf.abi.Msr;
import io.msrconf.filter.BitmapMemory;
import io.msrconf.filter.FilterRange;
import io.msrconf.filter.MsrFilter;
import io.msrconf.abi.Errno;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * KVM's MSR filter, rule for rule: the validation of kvm_vm_ioctl_set_msr_filter() and
 * kvm_add_msr_filter(), and the decision of kvm_msr_allowed() (arch/x86/kvm/msrs.c; x86.c before
 * the split). Kernel u32 fields are Java ints compared as unsigned; "end" wraps like a u32.
 */
public final class FilterModel {

    /** KVM_MSR_FILTER_READ / KVM_MSR_FILTER_WRITE: the "type" argument of kvm_msr_allowed(). */
    public static final int TYPE_READ = MsrFilter.RANGE_READ;
    public static final int TYPE_WRITE = MsrFilter.RANGE_WRITE;
    private static final int FILTER_VALID_MASK = MsrFilter.DEFAULT_DENY;
    private static final int RANGE_VALID_MASK = MsrFilter.RANGE_READ | MsrFilter.RANGE_WRITE;

    /** struct msr_bitmap_range: the kernel's copy of one non-empty range. */
    private record Range(int flags, int base, int nmsrs, byte[] bitmap) {
    }

    /** struct kvm_x86_msr_filter. */
    /** One installed filter (immutable: a new ioctl installs a new one, as the kernel swaps pointers). */
    record Installed(boolean defaultAllow, List<Range> ranges) {
    }

    private final Set<Mutation> mutations;
    private final ModelProfile profile;
    /** kvm->arch.msr_filter; null until the first successful ioctl ("By default ... no MSR range filters"). */
    private Installed installed;

    /** The filter of the newest kernel ({@link ModelProfile#LATEST}). */
    public FilterModel(Set<Mutation> mutations) {
        this(mutations, ModelProfile.LATEST);
    }

    public FilterModel(Set<Mutation> mutations, ModelProfile profile) {
        this.mutations = mutations;
        this.profile = profile;
    }

    /** KVM_X86_SET_MSR_FILTER: 0, or the errno the kernel returns; on error the old filter stays. */
    public int set(MsrFilter filter) {
        int r = validateAndCopy(filter);
        if (r != 0 && mutations.contains(Mutation.PREVIOUS_FILTER_LOST_ON_ERROR)) {
            installed = null;
        }
        return r;
    }

    private int validateAndCopy(MsrFilter filter) {
        if ((filter.flags() & ~FILTER_VALID_MASK) != 0 && !mutations.contains(Mutation.FILTER_FLAGS_NOT_VALIDATED)) {
            return Errno.EINVAL;
        }
        boolean empty = filter.ranges().stream().allMatch(FilterRange::isEmpty);
        boolean defaultAllow = (filter.flags() & MsrFilter.DEFAULT_DENY) == 0;
        if (mutations.contains(Mutation.DEFAULT_INVERTED)) {
            defaultAllow = !defaultAllow;
        }
        if (empty && !defaultAllow && !mutations.contains(Mutation.EMPTY_DENY_ACCEPTED)) {
            return Errno.EINVAL;
        }
        List<Range> ranges = new ArrayList<>();
        for (int slot = 0; slot < filter.ranges().size(); slot++) {
            int r = addRange(ranges, filter.ranges().get(slot), filter.bitmapMemory(slot));
            if (r != 0) {
                return r;   // kvm_free_msr_filter(new_filter): the installed filter is untouched
            }
        }
        installed = new Installed(defaultAllow, List.copyOf(ranges));
        return 0;
    }

    /** kvm_add_msr_filter(), with the user bitmap at {@code placement}. */
    private int addRange(List<Range> ranges, FilterRange user, BitmapMemory placement) {
        if (user.nmsrs() == 0 && !mutations.contains(Mutation.EMPTY_RANGE_VALIDATED)) {
            return 0;
        }
        boolean flagsInvalid = !mutations.contains(Mutation.RANGE_FLAGS_NOT_VALIDATED)
                && ((user.flags() & ~RANGE_VALID_MASK) != 0 || user.flags() == 0);
        long bitmapSize = FilterRange.kernelCopyBytes(user.nmsrs());   // BITS_TO_LONGS(nmsrs) * sizeof(long)
        // memdup_user() copies bitmapSize bytes; a fault anywhere in them is EFAULT, and so is NULL.
        boolean copyFails = user.bitmap() == null || switch (placement) {
            case VALID_PADDED -> false;
            case SHORT -> bitmapSize > user.bitmap().length;   // the copy runs into the PROT_NONE page
            case UNMAPPED, WILD -> true;
        };
        // Invalid flags are EINVAL whatever the order of the checks, unless the copy fails first, which only
        // the old order lets it (see ModelProfile#rangeFlagsCheckedBeforeCopy).
        if (flagsInvalid && (!copyFails || profile.rangeFlagsCheckedBeforeCopy())) {
            return Errno.EINVAL;
        }
        boolean tooBig = mutations.contains(Mutation.BITMAP_LIMIT_OFF_BY_ONE)
                ? bitmapSize >= MsrFilter.MAX_BITMAP_BYTES : bitmapSize > MsrFilter.MAX_BITMAP_BYTES;
        if (bitmapSize == 0 || tooBig) {
            return Errno.EINVAL;
        }
        if (copyFails) {
            // only after the size check: an oversized range is EINVAL however bad its pointer
            return Errno.EFAULT;
        }
        if (flagsInvalid) {
            return Errno.EINVAL;
        }
        // VALID_PADDED bitmaps are zero-padded to the bytes the kernel copies (see Vm.setMsrFilter), and a
        // SHORT one that did not fault holds them all, so bits beyond the spec's bytes read as 0 here too.
        byte[] copy = new byte[(int) bitmapSize];
        System.arraycopy(user.bitmap(), 0, copy, 0, Math.min(copy.length, user.bitmap().length));
        ranges.add(new Range(user.flags(), user.base(), user.nmsrs(), copy));
        return 0;
    }

    /** The filter in force now, or null: what a vCPU's interception is computed from. */
    Installed installed() {
        return installed;
    }

    /** kvm_msr_allowed(vcpu, index, type). */
    public boolean allowed(int index, int type) {
        return allowed(installed, index, type);
    }

    /** kvm_msr_allowed() under {@code installed}, which need not be the filter in force. */
    boolean allowed(Installed installed, int index, int type) {
        // "x2APIC MSRs do not support filtering."
        if (Msr.isX2apic(index)
                && !mutations.contains(Mutation.X2APIC_EXEMPTION_LOST)) {
            return true;
        }
        if (installed == null) {
            return true;
        }
        int matchType = mutations.contains(Mutation.READ_WRITE_SWAPPED) ? (type == TYPE_READ ? TYPE_WRITE : TYPE_READ) : type;
        boolean allowed = installed.defaultAllow();
        for (Range range : installed.ranges()) {
            int start = range.base();
            long end = mutations.contains(Mutation.RANGE_END_64BIT)
                    ? Integer.toUnsignedLong(start) + Integer.toUnsignedLong(range.nmsrs())
                    : Integer.toUnsignedLong(start + range.nmsrs());   // u32 arithmetic: wraps
            long i = Integer.toUnsignedLong(index);
            boolean inRange = i >= Integer.toUnsignedLong(start)
                    && (mutations.contains(Mutation.RANGE_END_INCLUSIVE) ? i <= end : i < end);
            boolean typeMatches = (range.flags() & matchType) != 0 || mutations.contains(Mutation.RANGE_FLAGS_IGNORED);
            if (inRange && typeMatches) {
                allowed = testBit(range.bitmap(), index - start);
                if (!mutations.contains(Mutation.LAST_MATCH_WINS)) {
                    break;
                }
            }
        }
        return allowed;
    }

    /** test_bit(): bit n of a little-endian array of longs is bit n % 8 of byte n / 8. */
    private boolean testBit(byte[] bitmap, int bit) {
        long n = Integer.toUnsignedLong(bit);
        if (n / 8 >= bitmap.length) {
            return false;   // only with RANGE_END_INCLUSIVE: the kernel would read past its copy
        }
        int shift = mutations.contains(Mutation.BITMAP_MSB_FIRST) ? 7 - (int) (n % 8) : (int) (n % 8);
        return (bitmap[(int) (n / 8)] >> shift & 1) != 0;
    }
}
