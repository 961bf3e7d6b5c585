package io.msrconf.emu.cpu;

import static io.msrconf.emu.cpu.TestGuest.CODE;
import static org.assertj.core.api.Assertions.assertThat;

import io.msrconf.vcpu.VcpuExit;
import org.junit.jupiter.api.Test;

/**
 * KVM's forced-emulation prefix ({@code ud2; .ascii "kvm"}, 0f 0b 6b 76 6d) as the interpreter models
 * handle_ud(): honoured only when the MSR port says kvm.force_emulation_prefix is set; then RIP moves
 * past it and the next instruction runs with KVM-emulator semantics.
 */
class ForcedEmulationTest {

    private static final String PREFIX = "0f 0b 6b 76 6d";

    @Test
    void withoutForcedEmulationThePrefixRaisesUdAtTheUd2() {
        TestGuest g = TestGuest.running(PREFIX, "0f 31", "f4");      // KVM_FEP; rdtsc; hlt
        TestGuest.ForcedEmulationPort port = new TestGuest.ForcedEmulationPort(false);
        assertThat(g.runToHlt(port)).isEqualTo(TestGuest.inStub(GuestFault.UD));
        assertThat(g.stack(0)).as("RIP pushed for #UD (no error code): the UD2 of the prefix").isEqualTo(CODE);
        assertThat(port.implicitReads).isEmpty();
    }

    @Test
    void forcedRdtscReadsTheTscThroughTheEmulatorsSideEffectRead() {
        TestGuest g = TestGuest.running(PREFIX, "0f 31", "f4");
        TestGuest.ForcedEmulationPort port = new TestGuest.ForcedEmulationPort(true);
        assertThat(g.run(port)).isEqualTo(new VcpuExit.Hlt());
        assertThat(g.cpu.rip()).isEqualTo(CODE + 8);
        assertThat(port.implicitReads).containsExactly(0x10);
        assertThat(g.cpu.reg(Cpu.RAX)).isEqualTo(0x2345_6789L);
        assertThat(g.cpu.reg(Cpu.RDX)).isEqualTo(1);
    }

    @Test
    void aFailedSideEffectReadLeavesZeroAsEmRdtscDoes() {
        TestGuest g = TestGuest.running(
                "48 c7 c0 ff ff ff ff",     // mov $-1,%rax
                "48 c7 c2 ff ff ff ff",     // mov $-1,%rdx
                PREFIX, "0f 31", "f4");
        TestGuest.ForcedEmulationPort port = new TestGuest.ForcedEmulationPort(true);
        port.implicitRead = new MsrResult.Fault();
        assertThat(g.run(port)).isEqualTo(new VcpuExit.Hlt());
        assertThat(g.cpu.rip()).isEqualTo(CODE + 22);
        assertThat(g.cpu.reg(Cpu.RAX)).isZero();
        assertThat(g.cpu.reg(Cpu.RDX)).isZero();
    }

    @Test
    void nativeRdtscReadsTheTscWithoutAnyMsrAccess() {
        TestGuest g = TestGuest.running("0f 31", "f4");
        TestGuest.ForcedEmulationPort port = new TestGuest.ForcedEmulationPort(true);
        assertThat(g.run(port)).isEqualTo(new VcpuExit.Hlt());
        assertThat(g.cpu.rip()).isEqualTo(CODE + 3);
        assertThat(g.cpu.reg(Cpu.RAX)).isEqualTo(0xabcd);
        assertThat(port.implicitReads).isEmpty();
    }

    @Test
    void aForcedRdmsrFaultsAtTheInstructionAfterThePrefix() {
        TestGuest g = TestGuest.running("b9 74 01 00 00", PREFIX, "0f 32", "f4");   // mov $0x174,%ecx; KVM_FEP; rdmsr
        TestGuest.ForcedEmulationPort port = new TestGuest.ForcedEmulationPort(true);        // the fake faults on every MSR it has no answer for
        assertThat(g.runToHlt(port)).isEqualTo(TestGuest.inStub(GuestFault.GP));
        assertThat(g.stack(0)).as("error code").isZero();
        assertThat(g.stack(1)).as("RIP: the RDMSR after the prefix").isEqualTo(CODE + 10);
        assertThat(port.implicitReads).as("RDMSR is not a side effect").isEmpty();
    }

    @Test
    void aForcedRdmsrExitsToUserspaceAndCompletesPastTheRdmsr() {
        TestGuest g = TestGuest.running("b9 74 01 00 00", PREFIX, "0f 32", "f4");
        TestGuest.ForcedEmulationPort port = new TestGuest.ForcedEmulationPort(true);
        port.msrs.read(0x174, new MsrResult.ExitToUserspace(4, 0));
        assertThat(g.run(port)).isEqualTo(new VcpuExit.Msr(false, 4, 0x174, 0));
        assertThat(g.cpu.rip()).as("RIP during the exit: the RDMSR, past the prefix").isEqualTo(CODE + 10);
        g.cpu.completeMsrExit(0, 0x55_0000_0066L);
        assertThat(g.run(port)).isEqualTo(new VcpuExit.Hlt());
        assertThat(g.cpu.rip()).isEqualTo(CODE + 13);
        assertThat(g.cpu.reg(Cpu.RAX)).isEqualTo(0x66);
        assertThat(g.cpu.reg(Cpu.RDX)).isEqualTo(0x55);
    }

    @Test
    void onlyTheExactSignatureIsThePrefix() {
        TestGuest g = TestGuest.running("0f 0b 6b 76 6e", "0f 31", "f4");     // ud2; "kvn"
        assertThat(g.runToHlt(new TestGuest.ForcedEmulationPort(true))).isEqualTo(TestGuest.inStub(GuestFault.UD));
        assertThat(g.stack(0)).isEqualTo(CODE);
    }

    @Test
    void anInstructionTheModelDoesNotEmulateBehindThePrefixIsNotGuessed() {
        TestGuest g = TestGuest.running(PREFIX, "90", "f4");        // KVM_FEP; nop
        VcpuExit exit = g.run(new TestGuest.ForcedEmulationPort(true));
        assertThat(exit).isInstanceOf(VcpuExit.Unimplemented.class);
        assertThat(exit.describe()).contains("forced emulation of nop");
    }
}
