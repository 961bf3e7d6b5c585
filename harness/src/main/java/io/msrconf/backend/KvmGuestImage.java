package io.msrconf.backend;

import io.msrconf.guest.GuestLayout;
import io.msrconf.guest.Payload;
import io.msrconf.kvm.KvmException;
import io.msrconf.kvm.KvmVcpu;
import io.msrconf.kvm.Registers;
import io.msrconf.kvm.SpecialRegisters;
import io.msrconf.vcpu.GuestMemory;
import io.msrconf.vcpu.VcpuExit;

/**
 * The guest as KVM gets it: the system tables and payload bytes to write into guest memory, and the
 * layout's start state in KVM's register structs, converted once per backend.
 */
final class KvmGuestImage {

    final Payload payload;
    final byte[] systemTables;
    /** The payload's image, copied once (Payload.image() clones on every call). */
    final byte[] payloadImage;
    private final GuestLayout.StartState start;
    private final SpecialRegisters.Segment startCs;
    private final SpecialRegisters.Segment startData;
    private final SpecialRegisters.Segment startTr;
    private final SpecialRegisters.DescriptorTable startGdt;
    private final SpecialRegisters.DescriptorTable startIdt;
    private final Registers startRegs;

    KvmGuestImage(Payload payload) {
        this.payload = payload;
        this.systemTables = GuestLayout.systemTables(payload);
        this.payloadImage = payload.image();
        this.start = GuestLayout.startState(payload);
        this.startCs = segment(start.cs());
        this.startData = segment(start.data());
        this.startTr = segment(start.tr());
        this.startGdt = new SpecialRegisters.DescriptorTable(start.gdtBase(), start.gdtLimit());
        this.startIdt = new SpecialRegisters.DescriptorTable(start.idtBase(), start.idtLimit());
        this.startRegs = Registers.zero().withRip(start.rip()).withRsp(start.rsp()).withRflags(start.rflags());
    }

    /** Writes the system tables and the payload into guest memory. */
    void load(GuestMemory memory) {
        memory.write(GuestLayout.SYSTEM_TABLES_START, systemTables);
        memory.write(GuestLayout.PAYLOAD_BASE, payloadImage);
    }

    GuestVcpu vcpu(KvmVcpu vcpu, GuestMemory memory) {
        // Each vCPU has its own stack and script table (GuestLayout); everything else of the start state is shared.
        Registers regs = startRegs.withRsp(GuestLayout.stackTop(vcpu.id())).withRdi(GuestLayout.scriptTable(vcpu.id()));
        return new GuestVcpu() {
            @Override
            public int id() {
                return vcpu.id();
            }

            @Override
            public void resetToStart() {
                SpecialRegisters sregs = vcpu.getSregs();
                sregs.cs = startCs;
                sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = startData;
                sregs.tr = startTr;
                sregs.gdt = startGdt;
                sregs.idt = startIdt;
                sregs.cr0 = start.cr0();
                sregs.cr3 = start.cr3();
                sregs.cr4 = start.cr4();
                sregs.efer = start.efer();
                vcpu.setSregs(sregs);
                vcpu.setRegs(regs);
            }

            @Override
            public VcpuExit run(long deadlineNanos) {
                return vcpu.run(deadlineNanos);
            }

            @Override
            public void completeMsrExit(int error, long data) {
                vcpu.completeMsrExit(error, data);
            }

            @Override
            public GuestMemory memory() {
                return memory;
            }

            @Override
            public String describeState() {
                try {
                    Registers regs = vcpu.getRegs();
                    return "RIP is at " + payload.symbolize(regs.rip()) + "\n" + regs.describe() + "\n" + vcpu.getSregs().describe();
                } catch (KvmException e) {
                    return "(registers unavailable: " + e.getMessage() + ")";
                }
            }
        };
    }

    private static SpecialRegisters.Segment segment(GuestLayout.Segment s) {
        return new SpecialRegisters.Segment(s.base(), s.limit(), s.selector(), s.type(), s.present() ? 1 : 0, s.dpl(),
                s.db() ? 1 : 0, s.s() ? 1 : 0, s.l() ? 1 : 0, s.g() ? 1 : 0, 0, 0);
    }
}
