package io.msrconf.emu.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import io.msrconf.guest.GuestResult;
import io.msrconf.guest.GuestLayout;
import io.msrconf.guest.MsrScriptTable;
import io.msrconf.guest.Payload;
import io.msrconf.spec.Access;
import io.msrconf.spec.MsrOp;
import io.msrconf.vcpu.VcpuExit;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The real payloads, loaded and started as the backends do, against a fake MSR port. */
class PayloadRunTest {

    private static final long BUDGET = 100_000;

    private static final class Guest {
        final Payload payload;
        final GuestRam ram = new GuestRam(GuestLayout.MEMORY_SIZE);
        final Cpu cpu;

        Guest(String name) {
            payload = Payload.load(name);
            ram.write(GuestLayout.SYSTEM_TABLES_START, GuestLayout.systemTables(payload));
            ram.write(GuestLayout.PAYLOAD_BASE, payload.image());
            cpu = Cpu.fromStartState(GuestLayout.startState(payload));
        }

        long symbol(String name) {
            return payload.symbol(name).orElseThrow();
        }
    }

    private static Access access(MsrOp op, int index, long value) {
        return new Access(op, index, value, null, null, null);
    }

    @Test
    void msrScriptRunsEveryAccessThroughTheMsrPort() {
        Guest g = new Guest(Payload.MSR_SCRIPT);
        List<Access> accesses = List.of(
                access(MsrOp.RDMSR, 0x10, 0),
                access(MsrOp.RDMSR, 0x11, 0),
                access(MsrOp.RDMSR, 0x12, 0),
                access(MsrOp.WRMSR, 0x13, 0xaabbccdd_11223344L),
                access(MsrOp.WRMSR, 0x14, 0x5L));
        g.ram.write(GuestLayout.SCRIPT_TABLE, MsrScriptTable.encode(accesses.stream().map(Access::scriptEntry).toList()));
        TestGuest.FakeMsrs msrs = new TestGuest.FakeMsrs()
                .read(0x10, new MsrResult.Done(0x1234))
                .read(0x11, new MsrResult.Fault())
                .read(0x12, new MsrResult.ExitToUserspace(4, 0))
                .write(0x13, new MsrResult.Done(0))
                .write(0x14, new MsrResult.ExitToUserspace(4, 0x5));

        assertThat(g.cpu.run(g.ram, msrs, BUDGET)).isEqualTo(new VcpuExit.Msr(false, 4, 0x12, 0));
        assertThat(g.cpu.rip()).as("suspended at the RDMSR").isEqualTo(g.symbol("rdmsr_insn"));
        assertThat(g.ram.readU32(GuestLayout.SCRIPT_TABLE + MsrScriptTable.HDR_COMPLETED)).as("entries finished").isEqualTo(2);
        g.cpu.completeMsrExit(0, 0x55);

        assertThat(g.cpu.run(g.ram, msrs, BUDGET)).isEqualTo(new VcpuExit.Msr(true, 4, 0x14, 0x5));
        assertThat(msrs.written).as("WRMSR passes EDX:EAX").containsEntry(0x13, 0xaabbccdd_11223344L);
        g.cpu.completeMsrExit(1, 0);    // userspace refuses: #GP at the WRMSR

        assertThat(g.cpu.run(g.ram, msrs, BUDGET)).isEqualTo(new VcpuExit.Io(true, GuestLayout.REPORT_PORT, 4, 1, GuestLayout.REPORT_DONE));
        byte[] table = g.ram.read(GuestLayout.SCRIPT_TABLE, MsrScriptTable.size(accesses.size()));
        assertThat(MsrScriptTable.results(table, accesses.size())).containsExactly(
                new GuestResult.Completed(0x1234),
                new GuestResult.Faulted(13, 0),
                new GuestResult.Completed(0x55),
                new GuestResult.Completed(0),
                new GuestResult.Faulted(13, 0));
        assertThat(MsrScriptTable.completed(table, accesses.size())).isEqualTo(accesses.size());

        assertThat(g.cpu.run(g.ram, msrs, BUDGET)).as("after the report the payload spins on the OUT")
                .isEqualTo(new VcpuExit.Io(true, GuestLayout.REPORT_PORT, 4, 1, GuestLayout.REPORT_DONE));
    }

    /** The fake port, with KVM's forced-emulation prefix honoured or not and a fixed side-effect TSC read. */
    private static MsrPort withForcedEmulation(TestGuest.FakeMsrs msrs, boolean on) {
        TestGuest.ForcedEmulationPort port = new TestGuest.ForcedEmulationPort(on, msrs);
        port.implicitRead = new MsrResult.Done(0x77_0000_0001L);
        return port;
    }

    @Test
    void forcedEmulationEntriesRecordTheValueOrTheFaultOfTheEmulatedInstruction() {
        List<Access> accesses = List.of(
                access(MsrOp.FEP_RDTSC, 0x10, 0),
                access(MsrOp.FEP_RDMSR, 0x174, 0),
                access(MsrOp.FEP_RDMSR, 0x175, 0));
        TestGuest.FakeMsrs msrs = new TestGuest.FakeMsrs().read(0x175, new MsrResult.Done(0x1234));

        Guest on = new Guest(Payload.MSR_SCRIPT);
        on.ram.write(GuestLayout.SCRIPT_TABLE, MsrScriptTable.encode(accesses.stream().map(Access::scriptEntry).toList()));
        assertThat(on.cpu.run(on.ram, withForcedEmulation(msrs, true), BUDGET))
                .isEqualTo(new VcpuExit.Io(true, GuestLayout.REPORT_PORT, 4, 1, GuestLayout.REPORT_DONE));
        assertThat(MsrScriptTable.results(on.ram.read(GuestLayout.SCRIPT_TABLE, MsrScriptTable.size(3)), 3)).containsExactly(
                new GuestResult.Completed(0x77_0000_0001L),
                new GuestResult.Faulted(13, 0),
                new GuestResult.Completed(0x1234));

        // Without forced emulation the prefix's UD2 faults: recorded as the entry's #UD, and the script goes on.
        Guest off = new Guest(Payload.MSR_SCRIPT);
        off.ram.write(GuestLayout.SCRIPT_TABLE, MsrScriptTable.encode(accesses.stream().map(Access::scriptEntry).toList()));
        assertThat(off.cpu.run(off.ram, withForcedEmulation(msrs, false), BUDGET))
                .isEqualTo(new VcpuExit.Io(true, GuestLayout.REPORT_PORT, 4, 1, GuestLayout.REPORT_DONE));
        assertThat(MsrScriptTable.results(off.ram.read(GuestLayout.SCRIPT_TABLE, MsrScriptTable.size(3)), 3)).containsExactly(
                new GuestResult.Faulted(6, 0), new GuestResult.Faulted(6, 0), new GuestResult.Faulted(6, 0));
    }

    @Test
    void anUnexpectedUd2IsRecordedAndReported() {
        Guest g = new Guest("test_unexpected_ud");
        assertThat(g.cpu.run(g.ram, new TestGuest.FakeMsrs(), BUDGET))
                .isEqualTo(new VcpuExit.Io(true, GuestLayout.REPORT_PORT, 4, 1, GuestLayout.REPORT_UNEXPECTED));
        byte[] header = g.ram.read(GuestLayout.SCRIPT_TABLE, MsrScriptTable.HDR_SIZE);
        assertThat(MsrScriptTable.unexpectedVector(header)).isEqualTo(6);
        assertThat(MsrScriptTable.unexpectedRip(header)).isEqualTo(g.symbol("ud2_insn"));
        assertThat(MsrScriptTable.unexpectedErrorCode(header)).isZero();
    }

    @Test
    void anEmptyIdtEndsInATripleFault() {
        Guest g = new Guest("test_triple_fault");
        VcpuExit exit = g.cpu.run(g.ram, new TestGuest.FakeMsrs(), BUDGET);
        assertThat(exit).isInstanceOf(VcpuExit.Shutdown.class);
        assertThat(((VcpuExit.Shutdown) exit).why()).startsWith("#UD at RIP").contains("a double fault");
    }

    @Test
    void aSpinningGuestExhaustsTheBudget() {
        Guest g = new Guest("test_spin");
        assertThat(g.cpu.run(g.ram, new TestGuest.FakeMsrs(), BUDGET)).isEqualTo(new VcpuExit.Interrupted());
        assertThat(g.cpu.instructionCount()).isEqualTo(BUDGET);
    }
}
