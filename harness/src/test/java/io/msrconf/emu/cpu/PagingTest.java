package io.msrconf.emu.cpu;

import static io.msrconf.emu.cpu.TestGuest.CODE;
import static io.msrconf.emu.cpu.TestGuest.inStub;
import static org.assertj.core.api.Assertions.assertThat;

import io.msrconf.guest.GuestLayout;
import io.msrconf.vcpu.VcpuExit;
import org.junit.jupiter.api.Test;

/**
 * Translation through the guest's page tables. The harness maps the first 2 MiB with one large page;
 * tests add mappings for 0x200000 and up (PD entry 1), with a 4 KiB page table at 0x8000.
 */
class PagingTest {

    private static final long PT = 0x8000;
    private static final long PD_ENTRY_1 = GuestLayout.PD + 8;
    private static final long P = 1;
    private static final long RW = 2;
    private static final long ACCESSED = 0x20;
    private static final long DIRTY = 0x40;
    private static final long PS = 0x80;

    private static final String READ_0X200000 = "b8 00 00 20 00";   // mov $0x200000,%eax
    private static final String LOAD = "8b 18";                     // mov (%rax),%ebx
    private static final String STORE = "c7 00 01 00 00 00";        // movl $1,(%rax)

    @Test
    void readingUnmappedMemoryRaisesPageFaultWithCr2() {
        TestGuest g = TestGuest.running(READ_0X200000, LOAD);
        assertThat(g.runToHlt()).isEqualTo(inStub(14));
        assertThat(g.cpu.cr2()).isEqualTo(0x200000);
        assertThat(g.stack(0)).as("error code: not present, read").isZero();
        assertThat(g.stack(1)).as("RIP of the load").isEqualTo(CODE + 5);
    }

    @Test
    void writingUnmappedMemoryReportsAWrite() {
        TestGuest g = TestGuest.running(READ_0X200000, STORE);
        assertThat(g.runToHlt()).isEqualTo(inStub(14));
        assertThat(g.stack(0)).as("error code: not present, write").isEqualTo(2);
    }

    @Test
    void fourKibPagesTranslateAndSetTheAccessedBits() {
        TestGuest g = TestGuest.running(READ_0X200000, LOAD, "f4");
        g.ram.writeU64(PD_ENTRY_1, PT | P | RW);
        g.ram.writeU64(PT, 0x100000 | P);
        g.ram.writeU32(0x100000, 0xdeadbeef);
        assertThat(g.run()).isEqualTo(new VcpuExit.Hlt());
        assertThat(g.cpu.rip()).isEqualTo(CODE + 8);
        assertThat(g.cpu.reg(Cpu.RBX)).isEqualTo(0xdeadbeefL);
        assertThat(g.ram.readU64(PT)).isEqualTo(0x100000 | P | ACCESSED);
        assertThat(g.ram.readU64(PD_ENTRY_1) & ACCESSED).isNotZero();
        assertThat(g.ram.readU64(GuestLayout.PML4) & ACCESSED).isNotZero();
    }

    @Test
    void theGuestSeesItsOwnPageTableEditsAtOnce() {
        TestGuest g = TestGuest.running(READ_0X200000, LOAD,
                "c7 04 25 00 80 00 00 03 10 10 00",     // movl $0x101003,0x8000: remap 0x200000 to 0x101000
                "8b 08",                                // mov (%rax),%ecx
                "f4");
        g.ram.writeU64(PD_ENTRY_1, PT | P | RW);
        g.ram.writeU64(PT, 0x100000 | P | RW);
        g.ram.writeU32(0x100000, 1);
        g.ram.writeU32(0x101000, 2);
        g.run();
        assertThat(g.cpu.reg(Cpu.RBX)).isEqualTo(1);
        assertThat(g.cpu.reg(Cpu.RCX)).isEqualTo(2);
    }

    @Test
    void writingAReadOnlyPageFaultsBecauseCr0WpIsSet() {
        TestGuest g = TestGuest.running(READ_0X200000, STORE);
        g.ram.writeU64(PD_ENTRY_1, PT | P | RW);
        g.ram.writeU64(PT, 0x100000 | P);
        assertThat(g.runToHlt()).isEqualTo(inStub(14));
        assertThat(g.stack(0)).as("error code: present, write").isEqualTo(3);
        assertThat(g.ram.readU32(0x100000)).isZero();
    }

    @Test
    void writingSetsTheDirtyBit() {
        TestGuest g = TestGuest.running(READ_0X200000, STORE, "f4");
        g.ram.writeU64(PD_ENTRY_1, PT | P | RW);
        g.ram.writeU64(PT, 0x100000 | P | RW);
        g.run();
        assertThat(g.ram.readU32(0x100000)).isEqualTo(1);
        assertThat(g.ram.readU64(PT)).isEqualTo(0x100000 | P | RW | ACCESSED | DIRTY);
    }

    @Test
    void oneGibPagesTranslate() {
        TestGuest g = TestGuest.running(
                "b8 00 00 02 40",       // mov $0x40020000,%eax
                LOAD, "f4");
        g.ram.writeU64(GuestLayout.PDPT + 8, P | RW | PS);      // 1 GiB at 0x40000000 -> physical 0
        g.ram.writeU32(0x20000, 0x5eed);
        g.run();
        assertThat(g.cpu.reg(Cpu.RBX)).isEqualTo(0x5eed);
    }

    @Test
    void aTwoMibPageMustBeAligned() {
        TestGuest g = TestGuest.running(READ_0X200000, LOAD);
        g.ram.writeU64(PD_ENTRY_1, 0x100000 | P | RW | PS);                     // bit 20: reserved in a 2 MiB leaf
        assertThat(g.runToHlt()).isEqualTo(inStub(14));
        assertThat(g.stack(0)).as("error code: present, reserved bit").isEqualTo(1 | 8);
    }

    @Test
    void aReservedBitFaultsWithTheReservedFlag() {
        TestGuest g = TestGuest.running("b8 00 00 02 40", LOAD);
        g.ram.writeU64(GuestLayout.PDPT + 8, P | RW | PS | 1L << 13);   // bit 13 of a 1 GiB leaf is reserved
        assertThat(g.runToHlt()).isEqualTo(inStub(14));
        assertThat(g.stack(0)).as("error code: present, reserved bit").isEqualTo(1 | 8);
    }

    @Test
    void memoryNoRamBacksIsAnMmioExit() {
        TestGuest read = TestGuest.running(READ_0X200000, LOAD);
        read.ram.writeU64(PD_ENTRY_1, 0x200000 | P | RW | PS);
        assertThat(read.run()).isEqualTo(new VcpuExit.Mmio(0x200000, false, 4));
        assertThat(read.cpu.rip()).isEqualTo(CODE + 5);

        TestGuest write = TestGuest.running(READ_0X200000, STORE);
        write.ram.writeU64(PD_ENTRY_1, 0x200000 | P | RW | PS);
        assertThat(write.run()).isEqualTo(new VcpuExit.Mmio(0x200000, true, 4));
    }

    @Test
    void fetchingFromAnUnmappedPageFaultsAtTheTarget() {
        TestGuest g = TestGuest.running(READ_0X200000, "ff e0");     // jmp *%rax
        assertThat(g.runToHlt()).isEqualTo(inStub(14));
        assertThat(g.cpu.cr2()).isEqualTo(0x200000);
        assertThat(g.stack(0)).as("error code: not present, read (no I/D bit without NX)").isZero();
        assertThat(g.stack(1)).isEqualTo(0x200000);
    }

    @Test
    void anInstructionRunningIntoAnUnmappedPageFaultsThereButOneThatEndsBeforeDoesNot() {
        TestGuest g = TestGuest.running(
                "b8 fe 0f 20 00",       // mov $0x200ffe,%eax
                "ff e0");               // jmp *%rax
        g.ram.writeU64(PD_ENTRY_1, PT | P | RW);
        g.ram.writeU64(PT, 0x100000 | P | RW);                 // 0x200000 -> 0x100000; 0x201000 not mapped
        g.ram.write(0x100ffe, TestGuest.hex("b8 01"));         // the first two bytes of mov $1,%eax
        assertThat(g.runToHlt()).isEqualTo(inStub(14));
        assertThat(g.cpu.cr2()).isEqualTo(0x201000);
        assertThat(g.stack(1)).as("RIP: the instruction's start").isEqualTo(0x200ffe);

        TestGuest fits = TestGuest.running("b8 fe 0f 20 00", "ff e0");
        fits.ram.writeU64(PD_ENTRY_1, PT | P | RW);
        fits.ram.writeU64(PT, 0x100000 | P | RW);
        fits.ram.write(0x100ffe, TestGuest.hex("90 f4"));      // nop; hlt: the last byte of the page
        assertThat(fits.run()).isEqualTo(new VcpuExit.Hlt());
        assertThat(fits.cpu.rip()).isEqualTo(0x201000);
    }

    @Test
    void withNxAnXdPageCanBeReadButNotExecuted() {
        TestGuest g = TestGuest.runningWithNx(READ_0X200000, LOAD, "ff e0");      // load from it, then jump to it
        g.ram.writeU64(PD_ENTRY_1, P | RW | PS | 1L << 63);                     // 0x200000 -> physical 0, XD
        g.ram.writeU32(0, 0x90909090);
        assertThat(g.runToHlt()).isEqualTo(inStub(14));
        assertThat(g.cpu.reg(Cpu.RBX)).as("the load went through").isEqualTo(0x90909090L);
        assertThat(g.stack(0)).as("error code: present, instruction fetch").isEqualTo(1 | 0x10);
        assertThat(g.stack(1)).isEqualTo(0x200000);
    }

    @Test
    void withoutNxTheXdBitIsReserved() {
        TestGuest g = TestGuest.running(READ_0X200000, LOAD);
        g.ram.writeU64(PD_ENTRY_1, P | RW | PS | 1L << 63);
        assertThat(g.runToHlt()).isEqualTo(inStub(14));
        assertThat(g.stack(0)).as("error code: present, reserved bit").isEqualTo(1 | 8);
    }

    @Test
    void nonCanonicalAddressesRaiseGeneralProtection() {
        TestGuest g = TestGuest.running(
                "48 b8 00 00 00 00 00 00 00 80", // movabs $0x8000000000000000,%rax
                LOAD);
        assertThat(g.runToHlt()).isEqualTo(inStub(13));
        assertThat(g.stack(0)).isZero();
        assertThat(g.stack(1)).isEqualTo(CODE + 10);
    }
}
