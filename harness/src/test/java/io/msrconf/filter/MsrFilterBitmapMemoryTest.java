package io.msrconf.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MsrFilterBitmapMemoryTest {

    private static final List<FilterRange> RANGES = List.of(
            FilterRange.allowing(MsrFilter.RANGE_READ, 0x10, 8),
            new FilterRange(MsrFilter.RANGE_WRITE, 8, 0x20, null));

    @Test
    void slotsNotPlacedAreValidPaddedAndPlacingThemSoChangesNothing() {
        MsrFilter plain = new MsrFilter(MsrFilter.DEFAULT_ALLOW, RANGES);
        assertThat(plain.bitmapMemory(0)).isEqualTo(BitmapMemory.VALID_PADDED);
        assertThat(plain.withBitmapMemory(Map.of(0, BitmapMemory.VALID_PADDED))).isEqualTo(plain);
        assertThat(plain.withBitmapMemory(Map.of(0, BitmapMemory.SHORT))).isNotEqualTo(plain);
    }

    @Test
    void describeNamesThePlacement() {
        MsrFilter placed = new MsrFilter(MsrFilter.DEFAULT_ALLOW, RANGES).withBitmapMemory(Map.of(0, BitmapMemory.UNMAPPED));
        assertThat(placed.describe()).contains("range[0] flags=READ", "(bitmap memory UNMAPPED)");
        assertThat(placed.describe().lines().filter(l -> l.contains("range[1]")).findFirst().orElseThrow())
                .doesNotContain("bitmap memory");
    }

    @Test
    void aPlacementNeedsASlotWithABitmap() {
        MsrFilter plain = new MsrFilter(MsrFilter.DEFAULT_ALLOW, RANGES);
        assertThatThrownBy(() -> plain.withBitmapMemory(Map.of(2, BitmapMemory.SHORT)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("slot 2");
        assertThatThrownBy(() -> plain.withBitmapMemory(Map.of(1, BitmapMemory.SHORT)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NULL bitmap");
    }
}
