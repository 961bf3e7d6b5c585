package io.msrconf.emu.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class GuestRamTest {

    private final GuestRam ram = new GuestRam(0x2000);

    @Test
    void valuesAreLittleEndian() {
        ram.writeU64(0x10, 0x0102030405060708L);
        assertThat(ram.readU8(0x10)).isEqualTo(0x08);
        assertThat(ram.readU16(0x10)).isEqualTo(0x0708);
        assertThat(ram.readU32(0x14)).isEqualTo(0x01020304);
        assertThat(ram.read(0x10, 3)).containsExactly(0x08, 0x07, 0x06);
        ram.writeU16(0x1ffe, 0xbeef);
        assertThat(ram.readU8(0x1fff)).isEqualTo(0xbe);
    }

    @Test
    void accessesOutsideTheRamNameTheAddress() {
        assertThatThrownBy(() -> ram.readU32(0x1ffe)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0x1ffe");
        assertThatThrownBy(() -> ram.writeU8(-1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ram.write(0x1fff, new byte[2])).isInstanceOf(IllegalArgumentException.class);
        assertThat(ram.contains(0x1fff, 1)).isTrue();
        assertThat(ram.contains(0x1fff, 2)).isFalse();
    }

    @Test
    void sizesMustBeWholePages() {
        assertThatThrownBy(() -> new GuestRam(100)).isInstanceOf(IllegalArgumentException.class);
    }
}
