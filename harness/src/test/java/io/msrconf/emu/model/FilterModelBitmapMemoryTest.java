package io.msrconf.emu.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.msrconf.filter.BitmapMemory;
import io.msrconf.filter.FilterRange;
import io.msrconf.filter.MsrFilter;
import io.msrconf.abi.Errno;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The model's memdup_user(): where a bitmap pointer faults, and that a fault keeps the filter before it. */
class FilterModelBitmapMemoryTest {

    private static final int MSR = 0x174;

    private final FilterModel model = new FilterModel(Set.of());

    @Test
    void aShortBitmapFaultsWhenTheKernelCopiesMoreThanItHolds() {
        assertThat(model.set(denyRead(64, 7, BitmapMemory.SHORT))).isEqualTo(Errno.EFAULT);
        assertThat(model.set(denyRead(1, 0, BitmapMemory.SHORT))).isEqualTo(Errno.EFAULT);
        assertThat(model.set(denyRead(MsrFilter.MAX_NMSRS, 0x5ff, BitmapMemory.SHORT))).isEqualTo(Errno.EFAULT);
    }

    @Test
    void aShortBitmapHoldingTheWholeCopyIsAcceptedAndReadFromItsBytes() {
        MsrFilter filter = new MsrFilter(MsrFilter.DEFAULT_ALLOW,
                List.of(new FilterRange(MsrFilter.RANGE_READ, 64, MSR, new byte[] {0, 1, 0, 0, 0, 0, 0, 0})))
                .withBitmapMemory(Map.of(0, BitmapMemory.SHORT));
        assertThat(model.set(filter)).isZero();
        assertThat(model.allowed(MSR, FilterModel.TYPE_READ)).isFalse();
        assertThat(model.allowed(MSR + 8, FilterModel.TYPE_READ)).isTrue();
        assertThat(model.set(denyRead(MsrFilter.MAX_NMSRS, 0x600, BitmapMemory.SHORT))).isZero();
    }

    @Test
    void anUnmappedBitmapFaults() {
        assertThat(model.set(denyRead(1, 8, BitmapMemory.UNMAPPED))).isEqualTo(Errno.EFAULT);
    }

    @Test
    void theFlagsAndSizeChecksComeBeforeTheCopy() {
        assertThat(model.set(denyRead(MsrFilter.MAX_NMSRS + 1, 1, BitmapMemory.UNMAPPED))).isEqualTo(Errno.EINVAL);
        assertThat(model.set(denyRead(0xffff_ffff, 1, BitmapMemory.SHORT))).isEqualTo(Errno.EINVAL);
        MsrFilter noFlags = new MsrFilter(MsrFilter.DEFAULT_ALLOW, List.of(new FilterRange(0, 1, MSR, new byte[1])))
                .withBitmapMemory(Map.of(0, BitmapMemory.UNMAPPED));
        assertThat(model.set(noFlags)).isEqualTo(Errno.EINVAL);
    }

    @Test
    void anEmptyRangeIsNeverCopied() {
        assertThat(model.set(denyRead(0, 0, BitmapMemory.UNMAPPED))).isZero();
    }

    @Test
    void aFaultKeepsTheFilterInstalledBefore() {
        assertThat(model.set(denyRead(1, 8, BitmapMemory.VALID_PADDED))).isZero();
        assertThat(model.set(new MsrFilter(MsrFilter.DEFAULT_ALLOW, List.of(
                new FilterRange(MsrFilter.RANGE_READ, 1, 0x10, new byte[] {1}),
                new FilterRange(MsrFilter.RANGE_READ, 64, MSR, new byte[] {(byte) 0xff})))
                .withBitmapMemory(Map.of(1, BitmapMemory.SHORT)))).isEqualTo(Errno.EFAULT);
        assertThat(model.allowed(MSR, FilterModel.TYPE_READ)).as("the earlier filter still denies").isFalse();
    }

    /** One READ range at {@link #MSR} of {@code nmsrs} bits, all deny, {@code bytes} long, placed as given. */
    private static MsrFilter denyRead(int nmsrs, int bytes, BitmapMemory placement) {
        return new MsrFilter(MsrFilter.DEFAULT_ALLOW, List.of(new FilterRange(MsrFilter.RANGE_READ, nmsrs, MSR, new byte[bytes])))
                .withBitmapMemory(Map.of(0, placement));
    }
}
