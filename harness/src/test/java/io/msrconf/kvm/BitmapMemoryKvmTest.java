package io.msrconf.kvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.msrconf.abi.Errno;
import io.msrconf.abi.KvmCap;
import io.msrconf.emu.model.FilterModel;
import io.msrconf.filter.BitmapMemory;
import io.msrconf.filter.FilterRange;
import io.msrconf.filter.MsrFilter;
import io.msrconf.fuzz.FilterOracle;
import io.msrconf.kvm.uapi.KvmIoctls;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bitmap pointers that fault, on the real KVM: a short bitmap before a PROT_NONE page and an
 * unmapped one give EFAULT, but only once the flags and size checks pass; a short bitmap holding
 * every byte the kernel copies is accepted. The model and the oracle say the same. Skipped, with
 * the reason, where KVM cannot be used.
 */
class BitmapMemoryKvmTest {

    @RegisterExtension
    static final KvmFixture KVM = new KvmFixture();

    @BeforeEach
    void needKvmWithMsrFilter() {
        assumeTrue(KVM.kvm().checkExtension(KvmCap.KVM_CAP_X86_MSR_FILTER) != 0, "KVM lacks KVM_CAP_X86_MSR_FILTER");
    }


    static Stream<Arguments> placements() {
        return Stream.of(
                // name, range flags, nmsrs, bitmap bytes, placement, errno
                Arguments.of("short: 3 bytes, the kernel copies 8", MsrFilter.RANGE_READ, 64, 3, BitmapMemory.SHORT, Errno.EFAULT),
                Arguments.of("short: the 2 bytes 9 bits need, the kernel copies a long", MsrFilter.RANGE_READ, 9, 2, BitmapMemory.SHORT, Errno.EFAULT),
                Arguments.of("short: no bytes at all", MsrFilter.RANGE_WRITE, 1, 0, BitmapMemory.SHORT, Errno.EFAULT),
                Arguments.of("short: exactly the 8 bytes copied", MsrFilter.RANGE_READ, 64, 8, BitmapMemory.SHORT, 0),
                Arguments.of("short: one byte under the largest copy", MsrFilter.RANGE_READ, MsrFilter.MAX_NMSRS, 0x5ff, BitmapMemory.SHORT, Errno.EFAULT),
                Arguments.of("short: the largest copy exactly", MsrFilter.RANGE_READ, MsrFilter.MAX_NMSRS, 0x600, BitmapMemory.SHORT, 0),
                Arguments.of("short, but too big: the size check comes first", MsrFilter.RANGE_READ, MsrFilter.MAX_NMSRS + 1, 1, BitmapMemory.SHORT, Errno.EINVAL),
                Arguments.of("short, but no range flags: the flags check comes first", 0, 64, 3, BitmapMemory.SHORT, Errno.EINVAL),
                Arguments.of("unmapped", MsrFilter.RANGE_READ | MsrFilter.RANGE_WRITE, 1, 8, BitmapMemory.UNMAPPED, Errno.EFAULT),
                Arguments.of("unmapped, largest copy", MsrFilter.RANGE_READ, MsrFilter.MAX_NMSRS, 8, BitmapMemory.UNMAPPED, Errno.EFAULT),
                Arguments.of("unmapped, nmsrs 0xffffffff: too big first", MsrFilter.RANGE_READ, 0xffff_ffff, 8, BitmapMemory.UNMAPPED, Errno.EINVAL),
                Arguments.of("unmapped, unknown range flag: flags first", 4, 1, 8, BitmapMemory.UNMAPPED, Errno.EINVAL),
                Arguments.of("unmapped, but the range is empty: never read", MsrFilter.RANGE_READ, 0, 8, BitmapMemory.UNMAPPED, 0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("placements")
    void faultingBitmapsOnKvmTheModelAndTheOracle(String name, int rangeFlags, int nmsrs, int bytes, BitmapMemory placement,
            int errno) {
        MsrFilter filter = filter(rangeFlags, nmsrs, bytes, placement);
        try (KvmVm vm = KVM.kvm().createVm()) {
            assertThat(vm.setMsrFilter(filter).errno()).as("KVM").isEqualTo(errno);
        }
        assertThat(new FilterModel(Set.of()).set(filter)).as("model").isEqualTo(errno);
        assertThat(FilterOracle.errno(filter)).as("oracle").isEqualTo(errno);
    }

    /**
     * 200 raw calls with short, unmapped and padded bitmaps leave no mapping and no fd behind. The
     * JVM maps and unmaps on its own, so the counts may drift by one or two; a leak would show as
     * hundreds (a short bitmap takes one mapping, an unmapped one two).
     */
    @Test
    void rawCallsReleaseEveryMapping() throws IOException {
        MsrFilter filter = new MsrFilter(MsrFilter.DEFAULT_ALLOW, List.of(
                new FilterRange(MsrFilter.RANGE_READ, 64, 0x100, new byte[8]),
                new FilterRange(MsrFilter.RANGE_READ, 64, 0x200, new byte[3]),
                new FilterRange(MsrFilter.RANGE_WRITE, 64, 0x300, new byte[8]),
                new FilterRange(MsrFilter.RANGE_WRITE, 64, 0x400, new byte[8])))
                .withBitmapMemory(Map.of(0, BitmapMemory.SHORT, 1, BitmapMemory.SHORT, 2, BitmapMemory.UNMAPPED));
        try (KvmVm vm = KVM.kvm().createVm()) {
            for (int i = 0; i < 5; i++) {
                vm.setMsrFilter(filter);
            }
            long mapsBefore = lines("/proc/self/maps");
            long fdsBefore = fds();
            for (int i = 0; i < 200; i++) {
                assertThat(vm.setMsrFilter(filter).errno()).isEqualTo(Errno.EFAULT);
            }
            assertThat(lines("/proc/self/maps")).as("lines in /proc/self/maps").isCloseTo(mapsBefore, offset(2L));
            assertThat(fds()).as("open fds").isCloseTo(fdsBefore, offset(2L));
        }
    }

    private static MsrFilter filter(int rangeFlags, int nmsrs, int bytes, BitmapMemory placement) {
        byte[] bitmap = new byte[bytes];
        Arrays.fill(bitmap, (byte) 0x5a);
        return new MsrFilter(MsrFilter.DEFAULT_ALLOW, List.of(new FilterRange(rangeFlags, nmsrs, 0x10, bitmap)))
                .withBitmapMemory(Map.of(0, placement));
    }

    private static long lines(String file) throws IOException {
        try (Stream<String> lines = Files.lines(Path.of(file))) {
            return lines.count();
        }
    }

    private static long fds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
