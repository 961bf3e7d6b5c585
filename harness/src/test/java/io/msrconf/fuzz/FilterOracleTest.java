package io.msrconf.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.msrconf.filter.FilterRange;
import io.msrconf.filter.MsrFilter;
import io.msrconf.abi.Errno;
import io.msrconf.spec.MsrOp;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Hand-computed decisions of kvm_msr_allowed() and errnos of KVM_X86_SET_MSR_FILTER. */
class FilterOracleTest {

    private static final int R = MsrFilter.RANGE_READ;
    private static final int W = MsrFilter.RANGE_WRITE;

    private static MsrFilter filter(int flags, FilterRange... ranges) {
        return new MsrFilter(flags, List.of(ranges));
    }

    @Test
    void noFilterAllowsEverything() {
        assertThat(FilterOracle.allowed(null, 0x10, MsrOp.RDMSR)).isTrue();
        assertThat(FilterOracle.allowed(null, 0xdeadbeef, MsrOp.WRMSR)).isTrue();
    }

    @Test
    void theFirstRangeWithTheAccessTypeDecides() {
        MsrFilter f = filter(MsrFilter.DEFAULT_ALLOW,
                FilterRange.allowing(R, 0x174, 3),              // denies reads of 0x174-0x176
                FilterRange.allowing(R | W, 0x174, 3, 0x175));  // would allow 0x175
        assertThat(FilterOracle.allowed(f, 0x175, MsrOp.RDMSR)).isFalse();
        // The READ-only range does not match a write: the second range decides.
        assertThat(FilterOracle.allowed(f, 0x175, MsrOp.WRMSR)).isTrue();
        assertThat(FilterOracle.allowed(f, 0x176, MsrOp.WRMSR)).isFalse();
        // Outside every range: the default action.
        assertThat(FilterOracle.allowed(f, 0x177, MsrOp.WRMSR)).isTrue();
        assertThat(FilterOracle.allowed(filter(MsrFilter.DEFAULT_DENY, FilterRange.allowing(R, 0x174, 1, 0x174)), 0x177, MsrOp.RDMSR))
                .isFalse();
    }

    @Test
    void bitsCountFromTheBaseLeastSignificantFirst() {
        MsrFilter f = filter(MsrFilter.DEFAULT_DENY, new FilterRange(R, 16, 0x10, new byte[] {0x02, (byte) 0x80}));
        assertThat(FilterOracle.allowed(f, 0x11, MsrOp.RDMSR)).isTrue();    // byte 0 bit 1
        assertThat(FilterOracle.allowed(f, 0x1f, MsrOp.RDMSR)).isTrue();    // byte 1 bit 7
        assertThat(FilterOracle.allowed(f, 0x10, MsrOp.RDMSR)).isFalse();
        assertThat(FilterOracle.allowed(f, 0x18, MsrOp.RDMSR)).isFalse();
    }

    @Test
    void x2apicMsrsAreNeverFiltered() {
        MsrFilter f = filter(MsrFilter.DEFAULT_DENY, FilterRange.allowing(R | W, 0x800, 0x100));
        assertThat(FilterOracle.allowed(f, 0x800, MsrOp.RDMSR)).isTrue();
        assertThat(FilterOracle.allowed(f, 0x808, MsrOp.WRMSR)).isTrue();
        assertThat(FilterOracle.allowed(f, 0x8ff, MsrOp.RDMSR)).isTrue();
        assertThat(FilterOracle.allowed(f, 0x900, MsrOp.RDMSR)).isFalse();
        assertThat(FilterOracle.allowed(f, 0x7ff, MsrOp.RDMSR)).isFalse();
    }

    @Test
    void aRangeWhoseEndWrapsPastTheTopOfTheIndexSpaceMatchesNothing() {
        // base + nmsrs = 0x1_0000_0010 wraps to 0x10 in u32: "index >= base && index < end" is never true.
        MsrFilter wrapping = filter(MsrFilter.DEFAULT_ALLOW, FilterRange.allowing(R, 0xfffffff0, 0x20));
        assertThat(FilterOracle.allowed(wrapping, 0xfffffff0, MsrOp.RDMSR)).isTrue();
        assertThat(FilterOracle.allowed(wrapping, 0x5, MsrOp.RDMSR)).isTrue();
        // Ending exactly at 2^32 wraps to 0: matches nothing either.
        MsrFilter toTop = filter(MsrFilter.DEFAULT_ALLOW, FilterRange.allowing(R, 0xfffffff0, 0x10));
        assertThat(FilterOracle.allowed(toTop, 0xffffffff, MsrOp.RDMSR)).isTrue();
        // One short of the top does not wrap: it denies.
        MsrFilter below = filter(MsrFilter.DEFAULT_ALLOW, FilterRange.allowing(R, 0xfffffff0, 0xf));
        assertThat(FilterOracle.allowed(below, 0xfffffffe, MsrOp.RDMSR)).isFalse();
        assertThat(FilterOracle.allowed(below, 0xffffffff, MsrOp.RDMSR)).isTrue();
    }

    @Test
    void emptyRangesAreSkipped() {
        MsrFilter f = filter(MsrFilter.DEFAULT_DENY, new FilterRange(R, 0, 0x10, new byte[0]),
                FilterRange.allowing(R, 0x10, 1, 0x10));
        assertThat(FilterOracle.errno(f)).isZero();
        assertThat(FilterOracle.allowed(f, 0x10, MsrOp.RDMSR)).isTrue();
    }

    @Test
    void validationErrnos() {
        FilterRange good = FilterRange.allowing(R, 0x10, 1);
        assertThat(FilterOracle.errno(filter(MsrFilter.DEFAULT_ALLOW))).isZero();   // removes filtering
        assertThat(FilterOracle.errno(filter(MsrFilter.DEFAULT_DENY))).isEqualTo(Errno.EINVAL);
        assertThat(FilterOracle.errno(filter(MsrFilter.DEFAULT_DENY, new FilterRange(0, 0, 0x10, null)))).isEqualTo(Errno.EINVAL);
        assertThat(FilterOracle.errno(filter(0x2, good))).isEqualTo(Errno.EINVAL);              // unknown filter flag
        assertThat(FilterOracle.errno(filter(0, new FilterRange(0, 1, 0x10, new byte[1])))).isEqualTo(Errno.EINVAL);
        assertThat(FilterOracle.errno(filter(0, new FilterRange(4, 1, 0x10, new byte[1])))).isEqualTo(Errno.EINVAL);
        // An invalid range with nmsrs 0 is skipped, not refused.
        assertThat(FilterOracle.errno(filter(0, new FilterRange(4, 0, 0x10, null), good))).isZero();
        assertThat(FilterOracle.errno(filter(0, FilterRange.allowing(R, 0, MsrFilter.MAX_NMSRS)))).isZero();
        assertThat(FilterOracle.errno(filter(0, new FilterRange(R, MsrFilter.MAX_NMSRS + 1, 0, new byte[1]))))
                .isEqualTo(Errno.EINVAL);
        assertThat(FilterOracle.errno(filter(0, new FilterRange(R, 0xffffffff, 0, new byte[1])))).isEqualTo(Errno.EINVAL);
        assertThat(FilterOracle.errno(filter(0, new FilterRange(R, 1, 0x10, null)))).isEqualTo(Errno.EFAULT);
        // Slots are copied in order: the first bad one decides.
        assertThat(FilterOracle.errno(filter(0, new FilterRange(R, 1, 0x10, null), new FilterRange(0, 1, 0, new byte[1]))))
                .isEqualTo(Errno.EFAULT);
        assertThat(FilterOracle.errno(filter(0, new FilterRange(0, 1, 0, new byte[1]), new FilterRange(R, 1, 0x10, null))))
                .isEqualTo(Errno.EINVAL);
    }
}
