package io.msrconf.emu.cpu;

import static io.msrconf.emu.cpu.TestGuest.CODE;
import static io.msrconf.emu.cpu.TestGuest.arithmeticFlags;
import static io.msrconf.emu.cpu.TestGuest.inStub;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.msrconf.guest.GuestLayout;
import io.msrconf.vcpu.VcpuExit;
import org.junit.jupiter.api.Test;

/** Instruction semantics, on hand-assembled code (the comments give the AT&T source). */
class InterpreterTest {

    private static final long AT_END_OF_THREE = CODE + 3;

    // ---- flags ----

    @Test
    void cmpOfEqualValuesSetsZfAndPfOnly() {
        TestGuest g = TestGuest.running(
                "b8 05 00 00 00",       // mov $5,%eax
                "83 f8 05",             // cmp $5,%eax
                "f4");                  // hlt
        assertThat(g.run()).isEqualTo(new VcpuExit.Hlt());
        assertThat(g.cpu.rip()).isEqualTo(CODE + 9);
        assertThat(arithmeticFlags(g.cpu.rflags())).containsExactly("PF", "ZF");
        assertThat(g.cpu.reg(Cpu.RAX)).as("cmp does not write").isEqualTo(5);
    }

    @Test
    void cmpThatBorrowsSetsCfSfAf() {
        TestGuest g = TestGuest.running(
                "b8 01 00 00 00",       // mov $1,%eax
                "83 f8 02",             // cmp $2,%eax: 1 - 2 = 0xffffffff
                "f4");
        g.run();
        assertThat(arithmeticFlags(g.cpu.rflags())).containsExactly("AF", "CF", "PF", "SF");
    }

    @Test
    void addIntoTheSignBitOverflows() {
        TestGuest g = TestGuest.running(
                "b8 ff ff ff 7f",       // mov $0x7fffffff,%eax
                "83 c0 01",             // add $1,%eax
                "f4");
        g.run();
        assertThat(g.cpu.reg(Cpu.RAX)).isEqualTo(0x80000000L);
        assertThat(arithmeticFlags(g.cpu.rflags())).containsExactly("AF", "OF", "PF", "SF");
    }

    @Test
    void thirtyTwoBitAddCarriesOutAndZeroExtends() {
        TestGuest g = TestGuest.running(
                "48 c7 c0 ff ff ff ff", // mov $-1,%rax
                "b8 ff ff ff ff",       // mov $0xffffffff,%eax: clears bits 63:32
                "83 c0 01",             // add $1,%eax
                "f4");
        g.run();
        assertThat(g.cpu.reg(Cpu.RAX)).isZero();
        assertThat(arithmeticFlags(g.cpu.rflags())).containsExactly("AF", "CF", "PF", "ZF");
    }

    @Test
    void sixtyFourBitAddCarriesOut() {
        TestGuest g = TestGuest.running(
                "48 c7 c0 ff ff ff ff", // mov $-1,%rax
                "48 83 c0 01",          // add $1,%rax
                "f4");
        g.run();
        assertThat(g.cpu.reg(Cpu.RAX)).isZero();
        assertThat(arithmeticFlags(g.cpu.rflags())).containsExactly("AF", "CF", "PF", "ZF");
    }

    @Test
    void subFromTheMostNegativeValueOverflows() {
        TestGuest g = TestGuest.running(
                "b8 00 00 00 80",       // mov $0x80000000,%eax
                "83 e8 01",             // sub $1,%eax
                "f4");
        g.run();
        assertThat(g.cpu.reg(Cpu.RAX)).isEqualTo(0x7fffffffL);
        assertThat(arithmeticFlags(g.cpu.rflags())).containsExactly("AF", "OF", "PF");
    }

    @Test
    void xorClearsCarryAndOverflow() {
        TestGuest g = TestGuest.running(
                "f9",                   // stc
                "31 c0",                // xor %eax,%eax
                "f4");
        g.run();
        assertThat(arithmeticFlags(g.cpu.rflags())).containsExactly("PF", "ZF");
    }

    @Test
    void incKeepsCarryAndWraps() {
        TestGuest g = TestGuest.running(
                "f9",                   // stc
                "b3 ff",                // mov $0xff,%bl
                "fe c3",                // inc %bl
                "f4");
        g.run();
        assertThat(g.cpu.reg(Cpu.RBX) & 0xff).isZero();
        assertThat(arithmeticFlags(g.cpu.rflags())).containsExactly("AF", "CF", "PF", "ZF");
    }

    @Test
    void incIntoTheSignBitOverflows() {
        TestGuest g = TestGuest.running(
                "b1 7f",                // mov $0x7f,%cl
                "fe c1",                // inc %cl
                "f4");
        g.run();
        assertThat(g.cpu.reg(Cpu.RCX)).isEqualTo(0x80);
        assertThat(arithmeticFlags(g.cpu.rflags())).containsExactly("AF", "OF", "SF");
    }

    @Test
    void shlShiftsTheTopBitIntoCarry() {
        TestGuest g = TestGuest.running(
                "b8 01 00 00 80",       // mov $0x80000001,%eax
                "d1 e0",                // shl %eax
                "f4");
        g.run();
        assertThat(g.cpu.reg(Cpu.RAX)).isEqualTo(2);
        assertThat(arithmeticFlags(g.cpu.rflags())).as("OF = MSB(result) xor CF").containsExactly("CF", "OF");
    }

    @Test
    void shlBy32OfA64BitRegisterAsTheScriptPayloadDoes() {
        TestGuest g = TestGuest.running(
                "ba 34 12 00 00",       // mov $0x1234,%edx
                "48 c1 e2 20",          // shl $0x20,%rdx
                "f4");
        g.run();
        assertThat(g.cpu.reg(Cpu.RDX)).isEqualTo(0x1234_0000_0000L);
        assertThat(arithmeticFlags(g.cpu.rflags())).containsExactly("PF");
    }

    @Test
    void shiftByZeroKeepsTheFlags() {
        TestGuest g = TestGuest.running(
                "f9",                   // stc
                "b1 00",                // mov $0,%cl
                "d3 e0",                // shl %cl,%eax
                "f4");
        g.run();
        assertThat(arithmeticFlags(g.cpu.rflags())).containsExactly("CF");
    }

    @Test
    void sarKeepsTheSignAndShrDoesNot() {
        TestGuest g = TestGuest.running(
                "b8 f0 ff ff ff",       // mov $0xfffffff0,%eax
                "89 c3",                // mov %eax,%ebx
                "c1 f8 04",             // sar $4,%eax
                "c1 eb 04",             // shr $4,%ebx
                "f4");
        g.run();
        assertThat(g.cpu.reg(Cpu.RAX)).isEqualTo(0xffffffffL);
        assertThat(g.cpu.reg(Cpu.RBX)).isEqualTo(0x0fffffffL);
    }

    // ---- registers and addressing ----

    @Test
    void partialRegisterWritesKeepTheRestButThirtyTwoBitWritesZeroExtend() {
        TestGuest g = TestGuest.running(
                "48 c7 c0 ff ff ff ff", // mov $-1,%rax
                "66 b8 34 12",          // mov $0x1234,%ax
                "b4 56",                // mov $0x56,%ah
                "b0 12",                // mov $0x12,%al
                "48 89 c3",             // mov %rax,%rbx
                "89 c0",                // mov %eax,%eax
                "f4");
        g.run();
        assertThat(g.cpu.reg(Cpu.RBX)).isEqualTo(0xffff_ffff_ffff_5612L);
        assertThat(g.cpu.reg(Cpu.RAX)).isEqualTo(0x0000_0000_ffff_5612L);
    }

    @Test
    void ripRelativeLeaCountsFromTheNextInstruction() {
        TestGuest g = TestGuest.running(
                "48 8d 05 10 00 00 00", // lea 0x10(%rip),%rax
                "f4");
        g.run();
        assertThat(g.cpu.reg(Cpu.RAX)).isEqualTo(CODE + 7 + 0x10);
    }

    @Test
    void sibAddressingWithBaseIndexScaleAndWithoutBase() {
        TestGuest g = TestGuest.running(
                "bb 00 00 02 00",       // mov $0x20000,%ebx
                "b9 03 00 00 00",       // mov $3,%ecx
                "48 b8 88 77 66 55 44 33 22 11", // movabs $0x1122334455667788,%rax
                "48 89 44 cb 08",       // mov %rax,0x8(%rbx,%rcx,8)
                "8b 04 8d 00 00 02 00", // mov 0x20000(,%rcx,4),%eax
                "f4");
        g.ram.writeU32(0x2000c, 0xcafef00d);
        g.run();
        assertThat(g.ram.readU64(0x20000 + 8 + 3 * 8)).isEqualTo(0x1122334455667788L);
        assertThat(g.cpu.reg(Cpu.RAX)).isEqualTo(0xcafef00dL);
    }

    @Test
    void pushAndPopMoveRspByEightAndSignExtendImmediates() {
        TestGuest g = TestGuest.running(
                "6a fe",                // push $-2
                "5b",                   // pop %rbx
                "41 54",                // push %r12
                "41 5d",                // pop %r13
                "f4");
        g.cpu.setReg(12, 0x42);
        g.run();
        assertThat(g.cpu.reg(Cpu.RBX)).isEqualTo(-2L);
        assertThat(g.cpu.reg(13)).isEqualTo(0x42);
        assertThat(g.cpu.reg(Cpu.RSP)).isEqualTo(GuestLayout.STACK_TOP);
        assertThat(g.ram.readU64(GuestLayout.STACK_TOP - 8)).isEqualTo(0x42);
    }

    @Test
    void conditionalJumpsTakenAndNotTaken() {
        TestGuest g = TestGuest.running(
                "31 c0",                // xor %eax,%eax
                "74 05",                // je +5 (taken)
                "bb 01 00 00 00",       // mov $1,%ebx (skipped)
                "b9 02 00 00 00",       // mov $2,%ecx
                "83 f8 01",             // cmp $1,%eax
                "74 05",                // je +5 (not taken)
                "ba 03 00 00 00",       // mov $3,%edx
                "f4");
        g.run();
        assertThat(g.cpu.reg(Cpu.RBX)).isZero();
        assertThat(g.cpu.reg(Cpu.RCX)).isEqualTo(2);
        assertThat(g.cpu.reg(Cpu.RDX)).isEqualTo(3);
    }

    @Test
    void callAndRet() {
        TestGuest g = TestGuest.running(
                "e8 01 00 00 00",       // call +1
                "f4",                   // hlt (after the return)
                "b8 07 00 00 00",       // mov $7,%eax
                "c3");                  // ret
        assertThat(g.run()).isEqualTo(new VcpuExit.Hlt());
        assertThat(g.cpu.rip()).isEqualTo(CODE + 6);
        assertThat(g.cpu.reg(Cpu.RAX)).isEqualTo(7);
        assertThat(g.cpu.reg(Cpu.RSP)).isEqualTo(GuestLayout.STACK_TOP);
    }

    @Test
    void divideByZeroRaisesDivideErrorAtTheDiv() {
        TestGuest g = TestGuest.running(
                "31 c9",                // xor %ecx,%ecx
                "f7 f1");               // div %ecx
        assertThat(g.runToHlt()).isEqualTo(inStub(0));
        assertThat(g.stack(0)).as("RIP of the DIV, no error code").isEqualTo(CODE + 2);
    }

    @Test
    void wideMultiplyAndDivide() {
        TestGuest g = TestGuest.running(
                "48 c7 c0 ff ff ff ff", // mov $-1,%rax
                "48 c7 c1 ff ff ff ff", // mov $-1,%rcx
                "48 f7 e1",             // mul %rcx: rdx:rax = (2^64-1)^2
                "48 f7 f1",             // div %rcx: back to 2^64-1, remainder 0
                "f4");
        g.run();
        assertThat(g.cpu.reg(Cpu.RAX)).isEqualTo(-1L);
        assertThat(g.cpu.reg(Cpu.RDX)).isZero();
    }

    // ---- exits ----

    @Test
    void outStopsAtTheOutAndTheNextRunResumesAfterIt() {
        TestGuest g = TestGuest.running(
                "b8 01 00 00 00",       // mov $1,%eax
                "ba f4 00 00 00",       // mov $0xf4,%edx
                "ef",                   // out %eax,(%dx)
                "b8 02 00 00 00",       // mov $2,%eax
                "ef");                  // out %eax,(%dx)
        assertThat(g.run()).isEqualTo(new VcpuExit.Io(true, 0xf4, 4, 1, 1));
        assertThat(g.cpu.rip()).as("RIP stays at the OUT during the exit, as on KVM").isEqualTo(CODE + 10);
        assertThat(g.run()).isEqualTo(new VcpuExit.Io(true, 0xf4, 4, 1, 2));
    }

    @Test
    void inTakesTheValueGivenBeforeTheNextRun() {
        TestGuest g = TestGuest.running(
                "e4 60",                // in $0x60,%al
                "f4");
        assertThat(g.run()).isEqualTo(new VcpuExit.Io(false, 0x60, 1, 1, 0));
        g.cpu.completePortIn(0xab);
        assertThat(g.run()).isEqualTo(new VcpuExit.Hlt());
        assertThat(g.cpu.rip()).isEqualTo(CODE + 3);
        assertThat(g.cpu.reg(Cpu.RAX)).isEqualTo(0xab);
    }

    @Test
    void completionsWithoutAMatchingExitAreRefused() {
        TestGuest g = TestGuest.running("f4");
        assertThatThrownBy(() -> g.cpu.completePortIn(1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> g.cpu.completeMsrExit(0, 1)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void anUnknownOpcodeStopsTheRunNamingAddressAndBytes() {
        TestGuest g = TestGuest.running(
                "d8 c0",                // fadd %st(0),%st: x87, which the decoder does not know
                "90", "90");
        VcpuExit exit = g.run();
        assertThat(exit).isInstanceOf(VcpuExit.Unimplemented.class);
        VcpuExit.Unimplemented u = (VcpuExit.Unimplemented) exit;
        assertThat(u.rip()).isEqualTo(CODE);
        assertThat(u.mnemonic()).isEqualTo("unknown");
        assertThat(u.bytes()).startsWith(TestGuest.hex("d8 c0 90 90"));
        assertThat(u.describe()).startsWith(String.format("unimplemented instruction at 0x%x: d8 c0 90 90", CODE));
        assertThat(g.cpu.rip()).as("nothing executed").isEqualTo(CODE);
    }

    @Test
    void aKnownButUnimplementedInstructionIsNamed() {
        TestGuest g = TestGuest.running("0f a2");     // cpuid
        assertThat(g.run()).isEqualTo(new VcpuExit.Unimplemented(CODE, TestGuest.hex("0f a2"), "cpuid"));
    }

    @Test
    void budgetExhaustionOnJmpSelf() {
        TestGuest g = TestGuest.running("eb fe");     // jmp .
        assertThat(g.cpu.run(g.ram, new TestGuest.FakeMsrs(), 100)).isEqualTo(new VcpuExit.Interrupted());
        assertThat(g.cpu.rip()).isEqualTo(CODE);
        assertThat(g.cpu.instructionCount()).isEqualTo(100);
    }

    @Test
    void hltStopsAfterTheHlt() {
        assertThat(TestGuest.running("90", "90", "f4").runToHlt()).isEqualTo(AT_END_OF_THREE);
    }

    @Test
    void theCodeCacheSeesCodeTheGuestRewrites() {
        TestGuest g = TestGuest.running(
                "b8 00 00 00 00",       // mov $0,%eax        <- CODE, rewritten below
                "c6 05 f5 ff ff ff 07", // movb $7,-0xb(%rip): the immediate of the mov above
                "83 f8 07",             // cmp $7,%eax
                "75 ef",                // jne CODE (taken once: eax is 0 the first time)
                "f4");
        assertThat(g.run()).isEqualTo(new VcpuExit.Hlt());
        assertThat(g.cpu.rip()).isEqualTo(CODE + 18);
        assertThat(g.cpu.reg(Cpu.RAX)).isEqualTo(7);
    }

    @Test
    void describeListsRegistersLikeKvmRegisters() {
        TestGuest g = TestGuest.running("f4");
        g.cpu.setReg(Cpu.RBX, 0x1234);
        String text = g.cpu.describe();
        assertThat(text).startsWith("rax    0x0000000000000000  rbx    0x0000000000001234  rcx    0x0000000000000000  rdx");
        assertThat(text).contains(String.format("rip    0x%016x  rflags 0x0000000000000002", CODE));
        assertThat(text).contains("cs  sel=0x0008 base=0x0000000000000000 limit=0xffffffff type=11 p=1 dpl=0 db=0 s=1 l=1");
        assertThat(text).contains("cr0=0x80050033 cr2=0x0 cr3=0x1000 cr4=0x620");
    }
}
