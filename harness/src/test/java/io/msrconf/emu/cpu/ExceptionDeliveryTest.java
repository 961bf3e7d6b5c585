package io.msrconf.emu.cpu;

import static io.msrconf.emu.cpu.TestGuest.CODE;
import static io.msrconf.emu.cpu.TestGuest.inStub;
import static org.assertj.core.api.Assertions.assertThat;

import io.msrconf.guest.GuestLayout;
import io.msrconf.vcpu.VcpuExit;
import org.junit.jupiter.api.Test;

/** Delivery through the IDT the harness builds, the double fault and the triple fault, and IRETQ. */
class ExceptionDeliveryTest {

    private static final long RF = 1L << 16;
    private static final long IF = 1L << 9;

    private static void gateAttributes(TestGuest g, int vector, int attributes) {
        g.ram.writeU8(GuestLayout.IDT + vector * 16L + 5, attributes);
    }

    @Test
    void aFaultPushesItsRipOnAStackAlignedTo16AndClearsIf() {
        TestGuest g = TestGuest.running(
                "fb",                   // sti
                "50",                   // push %rax: RSP = 0x7fff8, not 16-byte aligned
                "0f 0b");               // ud2
        assertThat(g.runToHlt()).isEqualTo(inStub(6));
        assertThat(g.cpu.reg(Cpu.RSP)).isEqualTo(0x7fff0 - 5 * 8);
        assertThat(g.stack(0)).as("RIP: the UD2 itself (a fault)").isEqualTo(CODE + 2);
        assertThat(g.stack(1)).as("CS").isEqualTo(GuestLayout.CODE_SELECTOR);
        assertThat(g.stack(2)).as("RFLAGS: IF as it was, RF set as KVM sets it for faults").isEqualTo(0x2 | IF | RF);
        assertThat(g.stack(3)).as("RSP before the exception").isEqualTo(0x7fff8);
        assertThat(g.stack(4)).as("SS").isEqualTo(GuestLayout.DATA_SELECTOR);
        assertThat(g.cpu.rflags()).as("interrupt gate: IF cleared; RF cleared").isEqualTo(0x2);
        assertThat(g.cpu.cs().selector()).isEqualTo(GuestLayout.CODE_SELECTOR);
    }

    @Test
    void generalProtectionFromTheMsrPortPushesErrorCodeZero() {
        TestGuest g = TestGuest.running("0f 30");     // wrmsr, which the fake MSR port faults
        assertThat(g.runToHlt()).isEqualTo(inStub(13));
        assertThat(g.cpu.reg(Cpu.RSP)).isEqualTo(GuestLayout.STACK_TOP - 6 * 8);
        assertThat(g.stack(0)).as("error code").isZero();
        assertThat(g.stack(1)).as("RIP of the WRMSR").isEqualTo(CODE);
    }

    @Test
    void int3IsATrapThatPushesTheNextRip() {
        TestGuest g = TestGuest.running("cc");        // int3
        assertThat(g.runToHlt()).isEqualTo(inStub(3));
        assertThat(g.cpu.reg(Cpu.RSP)).as("no error code").isEqualTo(GuestLayout.STACK_TOP - 5 * 8);
        assertThat(g.stack(0)).isEqualTo(CODE + 1);
        assertThat(g.stack(2)).as("no RF for a trap").isEqualTo(0x2);
    }

    @Test
    void iretqReturnsToTheFrame() {
        TestGuest g = TestGuest.running(
                "fb",                   // sti
                "cc",                   // int3: its handler is IRETQ
                "b8 01 00 00 00",       // mov $1,%eax
                "f4");
        g.patch(TestGuest.stub(3), "48 cf");          // iretq
        assertThat(g.run()).isEqualTo(new VcpuExit.Hlt());
        assertThat(g.cpu.rip()).isEqualTo(CODE + 8);
        assertThat(g.cpu.reg(Cpu.RAX)).isEqualTo(1);
        assertThat(g.cpu.reg(Cpu.RSP)).isEqualTo(GuestLayout.STACK_TOP);
        assertThat(g.cpu.rflags()).as("IF back from the frame").isEqualTo(0x2 | IF);
        assertThat(g.cpu.ss().selector()).isEqualTo(GuestLayout.DATA_SELECTOR);
    }

    @Test
    void aTrapGateKeepsIf() {
        TestGuest g = TestGuest.running("fb", "cc");  // sti; int3
        gateAttributes(g, 3, 0x8f);                    // present, DPL 0, 64-bit trap gate
        assertThat(g.runToHlt()).isEqualTo(inStub(3));
        assertThat(g.cpu.rflags() & IF).isNotZero();
    }

    @Test
    void anIstGateSwitchesToTheStackInTheTss() {
        TestGuest g = TestGuest.running("cc");
        g.ram.writeU8(GuestLayout.IDT + 3 * 16 + 4, 1);           // IST 1
        g.ram.writeU64(GuestLayout.TSS + 0x24, 0x70008);          // TSS.IST1, aligned down to 0x70000
        assertThat(g.runToHlt()).isEqualTo(inStub(3));
        assertThat(g.cpu.reg(Cpu.RSP)).isEqualTo(0x70000 - 5 * 8);
        assertThat(g.stack(3)).as("the interrupted RSP").isEqualTo(GuestLayout.STACK_TOP);
    }

    @Test
    void aNotPresentGateForABenignExceptionRaisesNotPresentWithTheIdtErrorCode() {
        TestGuest g = TestGuest.running("0f 0b");     // ud2
        gateAttributes(g, 6, 0x0e);
        assertThat(g.runToHlt()).isEqualTo(inStub(11));
        assertThat(g.stack(0)).as("error code: IDT entry 6, IDT bit, EXT").isEqualTo(6 * 8 + 2 + 1);
        assertThat(g.stack(1)).isEqualTo(CODE);
    }

    @Test
    void aContributoryFaultWhileDeliveringGpIsADoubleFault() {
        TestGuest g = TestGuest.running("0f 30");     // wrmsr: #GP
        gateAttributes(g, 13, 0x0e);                   // #GP gate not present: #NP, contributory
        assertThat(g.runToHlt()).isEqualTo(inStub(8));
        assertThat(g.stack(0)).as("#DF error code").isZero();
        assertThat(g.stack(1)).as("RIP of the WRMSR").isEqualTo(CODE);
        assertThat(g.stack(3) & RF).as("RF of the first fault").isNotZero();
    }

    @Test
    void aFaultWhileDeliveringTheDoubleFaultShutsDown() {
        TestGuest g = TestGuest.running("0f 30");
        gateAttributes(g, 13, 0x0e);
        gateAttributes(g, 8, 0x0e);
        VcpuExit exit = g.run();
        assertThat(exit).isInstanceOf(VcpuExit.Shutdown.class);
        assertThat(((VcpuExit.Shutdown) exit).why()).isEqualTo(String.format("#GP(0x0) at RIP 0x%x; delivering it raised "
                + "#NP(0x6b), a double fault; delivering it raised #NP(0x43)", CODE));
        assertThat(g.cpu.rip()).isEqualTo(CODE);
        assertThat(g.run()).as("a shut-down CPU stays down").isEqualTo(exit);
        assertThat(g.cpu.describe()).contains("shut down: #GP(0x0)");
    }

    @Test
    void aPageFaultAfterAContributoryFaultIsDeliveredBeforeTheDoubleFault() {
        TestGuest g = TestGuest.running(
                "bc 00 00 30 00",       // mov $0x300000,%esp: above the mapped 2 MiB
                "0f 0b");               // ud2
        gateAttributes(g, 6, 0x85);                    // a task gate: #GP(IDT entry 6)
        VcpuExit exit = g.run();
        assertThat(exit).isInstanceOf(VcpuExit.Shutdown.class);
        assertThat(((VcpuExit.Shutdown) exit).why()).isEqualTo(String.format("#UD at RIP 0x%x; delivering it raised #GP(0x33); "
                + "delivering it raised #PF(0x2); delivering it raised #PF(0x2), a double fault; delivering it raised #PF(0x2)",
                CODE + 5));
    }

    @Test
    void pageFaultsOnTheStackEndInShutdownWithCr2() {
        TestGuest g = TestGuest.running(
                "bc 00 00 30 00",       // mov $0x300000,%esp: above the mapped 2 MiB
                "0f 0b");               // ud2
        VcpuExit exit = g.run();
        assertThat(exit).isInstanceOf(VcpuExit.Shutdown.class);
        assertThat(((VcpuExit.Shutdown) exit).why()).contains("#UD at RIP", "raised #PF(0x2)", "a double fault");
        assertThat(g.cpu.cr2()).as("the #DF frame's lowest slot").isEqualTo(0x300000 - 6 * 8);
    }
}
