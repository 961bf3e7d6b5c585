package io.msrconf.kvm.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.msrconf.abi.Errno;
import io.msrconf.filter.BitmapMemory;
import io.msrconf.filter.FilterRange;
import io.msrconf.filter.MsrFilter;
import io.msrconf.kvm.KvmException;
import io.msrconf.kvm.uapi.KvmLayouts;
import io.msrconf.kvm.Registers;
import io.msrconf.kvm.SpecialRegisters;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The structs as bytes, without KVM: what the ioctls would be handed. */
class MarshallingTest {

    @Test
    void registersAreU64sInStructOrder() {
        Registers regs = new Registers(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 0x1000, 0x2);
        try (Memory m = new Memory(KvmLayouts.Regs.SIZE)) {
            regs.encode(view(m));
            assertThat(m.getLong(0)).isEqualTo(1);
            assertThat(m.getLong(120)).isEqualTo(16);
            assertThat(m.getLong(128)).as("rip").isEqualTo(0x1000);
            assertThat(m.getLong(136)).as("rflags").isEqualTo(0x2);
            assertThat(Registers.decode(view(m))).isEqualTo(regs);
        }
        assertThat(Registers.zero().withRip(0x10).withRsp(0x20).withRflags(0x2))
                .isEqualTo(new Registers(0, 0, 0, 0, 0, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0x2));
        assertThat(regs.describe()).contains("rip    0x0000000000001000").hasLineCount(5);
    }

    @Test
    void specialRegistersRoundTripThroughTheStruct() {
        try (Memory m = new Memory(KvmLayouts.Sregs.SIZE)) {
            m.clear();
            SpecialRegisters s = SpecialRegisters.decode(view(m));
            s.cs = new SpecialRegisters.Segment(0x1234_5678_9abcL, 0xffffffff, 0x8, 11, 1, 3, 0, 1, 1, 1, 0, 0);
            s.tr = new SpecialRegisters.Segment(0x6000, 0x67, 0x18, 11, 1, 0, 0, 0, 0, 0, 1, 1);
            s.gdt = new SpecialRegisters.DescriptorTable(0x4000, 0x27);
            s.idt = new SpecialRegisters.DescriptorTable(0x5000, 0xfff);
            s.cr0 = 0x80050033L;
            s.cr3 = 0x1000;
            s.cr4 = 0x620;
            s.efer = 0x500;
            s.apicBase = 0xfee00900L;
            s.interruptBitmap[3] = 1L << 63;
            s.encode(view(m));

            long cs = KvmLayouts.Sregs.CS;
            assertThat(m.getLong(cs + KvmLayouts.Segment.BASE)).isEqualTo(0x1234_5678_9abcL);
            assertThat(m.getShort(cs + KvmLayouts.Segment.SELECTOR)).isEqualTo((short) 8);
            assertThat(m.getByte(cs + KvmLayouts.Segment.L)).isEqualTo((byte) 1);
            assertThat(m.getShort(KvmLayouts.Sregs.IDT + KvmLayouts.Dtable.LIMIT)).isEqualTo((short) 0xfff);
            assertThat(m.getLong(KvmLayouts.Sregs.EFER)).isEqualTo(0x500);
            assertThat(m.getLong(KvmLayouts.Sregs.INTERRUPT_BITMAP + 24)).isEqualTo(1L << 63);

            SpecialRegisters back = SpecialRegisters.decode(view(m));
            assertThat(back.cs).isEqualTo(s.cs);
            assertThat(back.tr).isEqualTo(s.tr);
            assertThat(back.gdt).isEqualTo(s.gdt);
            assertThat(back.idt).isEqualTo(s.idt);
            assertThat(back.cr0).isEqualTo(s.cr0);
            assertThat(back.apicBase).isEqualTo(s.apicBase);
            assertThat(back.interruptBitmap).containsExactly(s.interruptBitmap);
            assertThat(back.describe()).contains("cs  sel=0x0008", "efer=0x500", "idt base=0x0000000000005000 limit=0x0fff");
        }
    }

    @Test
    void msrFilterMarshalsRangesInSlotOrderWithNullAndPaddedBitmaps() {
        MsrFilter filter = new MsrFilter(MsrFilter.DEFAULT_DENY | 0x80, List.of(
                FilterRange.allowing(MsrFilter.RANGE_READ, 0x10, 9, 0x10, 0x18),
                new FilterRange(MsrFilter.RANGE_WRITE, 64, 0xc0000000, null),
                new FilterRange(0, 0, 0, new byte[0])));
        try (LocalVm.BitmapBuffers bitmaps = new LocalVm.BitmapBuffers(); Memory struct = LocalVm.marshal(filter, bitmaps)) {
            assertThat(struct.size()).isEqualTo(392);
            assertThat(struct.getInt(KvmLayouts.MsrFilter.FLAGS)).isEqualTo(0x81);

            long r0 = KvmLayouts.MsrFilter.RANGES;
            assertThat(struct.getInt(r0 + KvmLayouts.MsrFilterRange.FLAGS)).isEqualTo(MsrFilter.RANGE_READ);
            assertThat(struct.getInt(r0 + KvmLayouts.MsrFilterRange.NMSRS)).isEqualTo(9);
            assertThat(struct.getInt(r0 + KvmLayouts.MsrFilterRange.BASE)).isEqualTo(0x10);
            Pointer bitmap0 = struct.getPointer(r0 + KvmLayouts.MsrFilterRange.BITMAP);
            // 9 bits need 2 bytes, the kernel copies one long: the buffer is 8 bytes, zero beyond the bitmap
            assertThat(bitmap0.getByteArray(0, 8)).containsExactly(0x01, 0x01, 0, 0, 0, 0, 0, 0);

            long r1 = r0 + KvmLayouts.MsrFilterRange.SIZE;
            assertThat(struct.getInt(r1 + KvmLayouts.MsrFilterRange.BASE)).isEqualTo(0xc0000000);
            assertThat(struct.getPointer(r1 + KvmLayouts.MsrFilterRange.BITMAP)).as("null bitmap").isNull();

            long r2 = r1 + KvmLayouts.MsrFilterRange.SIZE;
            assertThat(struct.getPointer(r2 + KvmLayouts.MsrFilterRange.BITMAP)).as("empty, but not NULL").isNotNull();
            for (long at = r2 + KvmLayouts.MsrFilterRange.SIZE; at < 392; at += 8) {
                assertThat(struct.getLong(at)).as("unused slots are zero").isZero();
            }
            assertThat(bitmaps.count()).isEqualTo(2);
        }
    }

    @Test
    void shortBitmapEndsAtAPageBoundaryAndUnmappedOnePointsAtAHole() throws Exception {
        byte[] bits = {0x11, 0x22, 0x33};
        MsrFilter filter = new MsrFilter(MsrFilter.DEFAULT_ALLOW, List.of(
                new FilterRange(MsrFilter.RANGE_READ, 64, 0, bits),
                new FilterRange(MsrFilter.RANGE_READ, 64, 0, bits)))
                .withBitmapMemory(Map.of(0, BitmapMemory.SHORT, 1, BitmapMemory.UNMAPPED));
        try (LocalVm.BitmapBuffers bitmaps = new LocalVm.BitmapBuffers(); Memory struct = LocalVm.marshal(filter, bitmaps)) {
            long r0 = KvmLayouts.MsrFilter.RANGES;
            Pointer shortBitmap = struct.getPointer(r0 + KvmLayouts.MsrFilterRange.BITMAP);
            long end = Pointer.nativeValue(shortBitmap) + bits.length;
            assertThat(end % 4096).as("the short bitmap ends at a page boundary").isZero();
            assertThat(shortBitmap.getByteArray(0, 3)).containsExactly(bits);
            assertThat(permissions(end)).as("the page after it").isEqualTo("---p");

            long hole = Pointer.nativeValue(struct.getPointer(r0 + KvmLayouts.MsrFilterRange.SIZE + KvmLayouts.MsrFilterRange.BITMAP));
            assertThat(permissions(hole)).as("the unmapped bitmap's page").isNull();
            assertThat(permissions(hole - 4096)).as("the page before the hole").isEqualTo("---p");
            assertThat(permissions(hole + 4096)).as("the page after the hole").isEqualTo("---p");
        }
    }

    /** The permissions of the mapping holding {@code address}, from /proc/self/maps; null when unmapped. */
    private static String permissions(long address) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
            String[] fields = line.split("\\s+");
            String[] span = fields[0].split("-");
            if (Long.compareUnsigned(address, Long.parseUnsignedLong(span[0], 16)) >= 0
                    && Long.compareUnsigned(address, Long.parseUnsignedLong(span[1], 16)) < 0) {
                return fields[1];
            }
        }
        return null;
    }

    private static ByteBuffer view(Memory m) {
        return m.getByteBuffer(0, m.size()).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void guestMemoryIsLittleEndianAndBoundsChecked() {
        try (Memory backing = new Memory(0x2000)) {
            backing.clear();
            MappedGuestMemory mem = new MappedGuestMemory(backing, 0x2000);
            mem.writeU64(0x100, 0x1122334455667788L);
            assertThat(mem.read(0x100, 8)).containsExactly(0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11);
            assertThat(mem.readU32(0x100)).isEqualTo(0x55667788);
            assertThat(mem.readU16(0x106)).isEqualTo(0x1122);
            mem.writeU16(0x1ffe, 0xfffe);
            assertThat(mem.readU16(0x1ffe)).isEqualTo(0xfffe);
            assertThat(mem.readU8(0x1fff)).isEqualTo(0xff);
            mem.write(0x10, new byte[] {(byte) 0xeb, (byte) 0xfe});
            assertThat(mem.readU16(0x10)).isEqualTo(0xfeeb);

            assertThatThrownBy(() -> mem.readU32(0x1ffe))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0x1ffe");
            assertThatThrownBy(() -> mem.writeU64(-8, 0))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0xfffffffffffffff8");
            assertThatThrownBy(() -> mem.read(0x2000, 1))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0x2000");
        }
    }

    @Test
    void errnoNamesAndExceptionMessages() {
        assertThat(Errno.describe(Errno.EEXIST)).isEqualTo("EEXIST (17)");
        assertThat(Errno.name(200)).isEqualTo("errno 200");
        KvmException e = new KvmException("KVM_CREATE_VCPU", Errno.EEXIST);
        assertThat(e).hasMessage("KVM_CREATE_VCPU failed: EEXIST (17)");
        assertThat(e.operation()).isEqualTo("KVM_CREATE_VCPU");
        assertThat(e.errno()).isEqualTo(17);
    }
}
