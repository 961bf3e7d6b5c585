package io.msrconf.emu.cpu;

import io.msrconf.vcpu.VcpuExit;

/**
 * Event delivery through the guest's IDT in IA-32e mode at CPL 0, and IRETQ, following the SDM's
 * INT n / IRET pseudocode (Vol. 2) and the double-fault rules (Vol. 3, 6.15, table 6-5):
 *
 * <ul>
 *   <li>gate checks in the SDM's order: IDT limit (#GP(idt error code)), gate type 0xE/0xF
 *       (#GP), gate DPL for INT n/INT3 (#GP), present (#NP), then the code segment of the gate:
 *       null (#GP(EXT)), outside the GDT or in the LDT (#GP(sel)), not code or DPL &gt; CPL (#GP(sel)),
 *       not present (#NP(sel)), not 64-bit (#GP(sel)); the IDT error code is vector * 8 + 2 + EXT;
 *   <li>the stack: RSP or the IST slot of the TSS (#TS if outside its limit), aligned down to 16, must be
 *       canonical (#SS(EXT)); SS, RSP, RFLAGS, CS, RIP and the error code for vectors 8, 10-14, 17,
 *       21, 29 and 30 are pushed (only for exceptions, not INT n), any #PF on the way aborts delivery;
 *   <li>then CS:RIP from the gate (RIP must be canonical, #GP(EXT)), TF, NT, RF, VM cleared, IF too for
 *       an interrupt gate;
 *   <li>a fault while delivering: benign first events are replaced by the new exception; contributory
 *       (0, 10-13) after contributory, or contributory or #PF after #PF, become #DF(0); any fault while
 *       delivering #DF shuts the CPU down (KVM_EXIT_SHUTDOWN);
 *   <li>as KVM does before injecting a fault-class exception (all but 1-4, 8 and 18), RF is set in the
 *       RFLAGS the frame saves; the EXT bit of error codes is set unless a software interrupt
 *       (INT n, INT3) was being delivered.
 * </ul>
 *
 * <p>Delivery to a lower privilege level cannot happen at CPL 0 (no code segment has DPL &lt; 0).
 */
final class ExceptionDelivery {

    private final Cpu cpu;
    private final Mmu mmu;

    ExceptionDelivery(Cpu cpu, Mmu mmu) {
        this.cpu = cpu;
        this.mmu = mmu;
    }

    /**
     * Delivers exception {@code vector} raised by the instruction at {@code cpu.rip} (a fault: the frame
     * returns to it). Returns null once the handler is entered, {@link VcpuExit.Shutdown} on a triple fault.
     */
    VcpuExit deliverException(int vector, int errorCode) {
        return deliver(vector, errorCode, false, cpu.rip);
    }

    /** Delivers INT n / INT3 of the instruction at cpu.rip, whose frame returns to {@code nextRip}. */
    VcpuExit deliverSoftwareInterrupt(int vector, long nextRip) {
        return deliver(vector, 0, true, nextRip);
    }

    private VcpuExit deliver(int vector, int errorCode, boolean software, long returnRip) {
        long instructionRip = cpu.rip;
        int firstError = errorCode;
        boolean firstSoftware = software;
        // Each attempt's vector and what it raised, for the shutdown message. At most four attempts: a
        // benign exception, a contributory fault, a page fault (serial after a contributory one), #DF.
        int[] attempted = new int[4];
        GuestFault[] raised = new GuestFault[4];
        int attempts = 0;
        while (true) {
            try {
                if (!software && isFaultClass(vector)) {
                    cpu.rflags |= Flags.RF;
                }
                attempted[attempts] = vector;
                deliverOnce(vector, errorCode, software, returnRip);
                return null;
            } catch (GuestFault nested) {
                if (nested.vector == GuestFault.PF) {
                    cpu.cr2 = nested.address;
                }
                raised[attempts++] = nested;
                if (!software && vector == GuestFault.DF) {
                    cpu.shutdown = history(attempted, raised, attempts, firstError, firstSoftware, instructionRip);
                    return new VcpuExit.Shutdown(cpu.shutdown);
                }
                boolean firstContributory = !software && isContributory(vector);
                boolean firstPageFault = !software && vector == GuestFault.PF;
                boolean secondContributory = isContributory(nested.vector);
                if ((firstContributory && secondContributory)
                        || (firstPageFault && (secondContributory || nested.vector == GuestFault.PF))) {
                    vector = GuestFault.DF;
                    errorCode = 0;
                } else {
                    vector = nested.vector;
                    errorCode = nested.errorCode;
                }
                software = false;
                returnRip = instructionRip;
            }
        }
    }

    /** "#GP(0x0) at RIP 0x10400; delivering it raised #NP(0x6b), a double fault; delivering it raised #NP(0x43)". */
    private static String history(int[] attempted, GuestFault[] raised, int attempts, int firstError, boolean software, long rip) {
        int first = attempted[0];
        StringBuilder sb = new StringBuilder(software ? String.format("INT 0x%x", first)
                : GuestFault.describe(first, firstError, GuestFault.pushesErrorCode(first)));
        sb.append(String.format(" at RIP 0x%x", rip));
        for (int i = 0; i < attempts; i++) {
            sb.append("; delivering it raised ").append(raised[i].getMessage());
            if (i + 1 < attempts && attempted[i + 1] == GuestFault.DF) {
                sb.append(", a double fault");
            }
        }
        return sb.toString();
    }

    private static boolean isContributory(int vector) {
        return vector == GuestFault.DE || (vector >= GuestFault.TS && vector <= GuestFault.GP);
    }

    /** KVM's exception_type(): #DB, #BP, #OF are traps, #DF and #MC aborts, NMI an interrupt. */
    private static boolean isFaultClass(int vector) {
        return !(vector >= 1 && vector <= 4) && vector != GuestFault.DF && vector != 18;
    }

    private void deliverOnce(int vector, int errorCode, boolean software, long returnRip) {
        int ext = software ? 0 : 1;
        int idtError = vector * 8 + 2 + ext;
        if (vector * 16 + 15 > cpu.idtLimit) {
            throw GuestFault.gp(idtError);
        }
        long gate = cpu.idtBase + vector * 16L;
        long low = mmu.read(gate, 8, false);
        long high = mmu.read(gate + 8, 8, false);
        int type = (int) (low >>> 40) & 0xf;
        int gateDpl = (int) (low >>> 45) & 3;
        boolean present = (low >>> 47 & 1) != 0;
        if ((type != 0xe && type != 0xf) || (high >>> 40 & 0x1f) != 0) {
            throw GuestFault.gp(idtError);
        }
        if (software && gateDpl < cpu.cpl()) {
            throw GuestFault.gp(idtError);
        }
        if (!present) {
            throw GuestFault.of(GuestFault.NP, idtError);
        }
        int selector = (int) (low >>> 16) & 0xffff;
        long target = (low & 0xffff) | (low >>> 48 & 0xffff) << 16 | (high & 0xffffffffL) << 32;
        int ist = (int) (low >>> 32) & 7;

        if ((selector & ~3) == 0) {
            throw GuestFault.gp(ext);
        }
        int selectorError = (selector & 0xfffc) + ext;
        long descriptor = descriptor(selector, selectorError);
        Cpu.Segment code = segment(selector & ~3, descriptor);
        if (!code.s() || (code.type() & 8) == 0 || code.dpl() > cpu.cpl()) {
            throw GuestFault.gp(selectorError);
        }
        if (!code.present()) {
            throw GuestFault.of(GuestFault.NP, selectorError);
        }
        if (!code.l() || code.db()) {
            throw GuestFault.gp(selectorError);
        }

        long rsp = ist == 0 ? cpu.regs[Cpu.RSP] : istStack(ist, ext);
        rsp &= ~0xfL;
        boolean withError = !software && GuestFault.pushesErrorCode(vector);
        int slots = withError ? 6 : 5;
        long frame = rsp - slots * 8L;
        if (!Mmu.canonical(rsp - 1) || !Mmu.canonical(frame)) {
            throw GuestFault.of(GuestFault.SS, ext);
        }
        if (!Mmu.canonical(target)) {
            throw GuestFault.gp(ext);
        }
        mmu.probeWrite(frame, slots * 8, true);
        setAccessed(selector, descriptor);

        long[] values = {cpu.ss.selector(), cpu.regs[Cpu.RSP], cpu.rflags, cpu.cs.selector(), returnRip, errorCode};
        for (int i = 0; i < slots; i++) {
            mmu.write(rsp - 8L * (i + 1), 8, values[i], true);
        }
        cpu.regs[Cpu.RSP] = frame;
        cpu.cs = code;
        cpu.rip = target;
        cpu.rflags &= ~(Flags.TF | Flags.NT | Flags.RF | Flags.VM);
        if (type == 0xe) {
            cpu.rflags &= ~Flags.IF;
        }
    }

    /** The RSP of IST slot {@code ist} in the 64-bit TSS. */
    private long istStack(int ist, int ext) {
        int offset = 0x24 + (ist - 1) * 8;
        if (offset + 7 > cpu.tr.limit()) {
            throw GuestFault.of(GuestFault.TS, (cpu.tr.selector() & 0xfffc) + ext);
        }
        return mmu.read(cpu.tr.base() + offset, 8, false);
    }

    /**
     * IRETQ at CPL 0 (the SDM's IRET pseudocode, IA-32e mode, operand size 64). Returns null when done,
     * or what this CPU does not implement about the return (to CPL 3, to compatibility mode), having changed nothing.
     */
    String iretq() {
        if ((cpu.rflags & Flags.NT) != 0) {
            throw GuestFault.gp(0);     // a task return, which IA-32e mode does not have
        }
        long rsp = cpu.regs[Cpu.RSP];
        long newRip = mmu.read(rsp, 8, true);
        int csSelector = (int) mmu.read(rsp + 8, 8, true) & 0xffff;
        long newFlags = mmu.read(rsp + 16, 8, true);
        long newRsp = mmu.read(rsp + 24, 8, true);
        int ssSelector = (int) mmu.read(rsp + 32, 8, true) & 0xffff;

        if ((csSelector & ~3) == 0) {
            throw GuestFault.gp(0);
        }
        int csError = csSelector & 0xfffc;
        long csDescriptor = descriptor(csSelector, csError);
        int rpl = csSelector & 3;
        Cpu.Segment code = segment(csSelector, csDescriptor);
        boolean conforming = (code.type() & 4) != 0;
        if (!code.s() || (code.type() & 8) == 0 || rpl < cpu.cpl() || (conforming ? code.dpl() > rpl : code.dpl() != rpl)) {
            throw GuestFault.gp(csError);
        }
        if (!code.present()) {
            throw GuestFault.of(GuestFault.NP, csError);
        }
        if (rpl != cpu.cpl()) {
            return "iretq (to CPL " + rpl + ")";
        }
        if (!code.l() || code.db()) {
            return "iretq (to compatibility mode)";
        }
        if (!Mmu.canonical(newRip)) {
            throw GuestFault.gp(0);
        }
        Cpu.Segment stack;
        long ssDescriptor = 0;
        if ((ssSelector & ~3) == 0) {
            stack = Cpu.Segment.nullSelector(ssSelector);   // allowed when returning to 64-bit mode below CPL 3
        } else {
            int ssError = ssSelector & 0xfffc;
            if ((ssSelector & 3) != rpl) {
                throw GuestFault.gp(ssError);
            }
            ssDescriptor = descriptor(ssSelector, ssError);
            stack = segment(ssSelector, ssDescriptor);
            if (!stack.s() || (stack.type() & 0xa) != 2 || stack.dpl() != rpl) {
                throw GuestFault.gp(ssError);
            }
            if (!stack.present()) {
                throw GuestFault.of(GuestFault.SS, ssError);
            }
        }
        setAccessed(csSelector, csDescriptor);
        if (ssDescriptor != 0) {
            setAccessed(ssSelector, ssDescriptor);
        }
        // At CPL 0 every flag IRET can write is written; VM stays clear in IA-32e mode.
        long writable = Flags.DEFINED & ~Flags.VM;
        cpu.rflags = (newFlags & writable) | Flags.FIXED;
        cpu.rip = newRip;
        cpu.cs = code;
        cpu.regs[Cpu.RSP] = newRsp;
        cpu.ss = stack;
        return null;
    }

    /** The 8-byte GDT descriptor of {@code selector}; #GP(errorCode) if it lies outside the GDT (or in the LDT, which is never loaded). */
    private long descriptor(int selector, int errorCode) {
        if ((selector & 4) != 0 || (selector | 7) > cpu.gdtLimit) {
            throw GuestFault.gp(errorCode);
        }
        return mmu.read(cpu.gdtBase + (selector & ~7), 8, false);
    }

    /** Loading a segment sets the accessed bit of its descriptor, as the CPU does. */
    private void setAccessed(int selector, long descriptor) {
        if ((descriptor >>> 40 & 1) == 0) {
            mmu.write(cpu.gdtBase + (selector & ~7) + 5, 1, (descriptor >>> 40 & 0xff) | 1, false);
        }
    }

    private static Cpu.Segment segment(int selector, long d) {
        boolean g = (d >>> 55 & 1) != 0;
        int rawLimit = (int) ((d & 0xffff) | (d >>> 48 & 0xf) << 16);
        int limit = g ? rawLimit << 12 | 0xfff : rawLimit;
        long base = (d >>> 16 & 0xffffff) | (d >>> 56 & 0xff) << 24;
        int type = (int) (d >>> 40) & 0xf | 1;     // loaded: the accessed bit is set (see setAccessed)
        return new Cpu.Segment(selector, base, limit, type, (d >>> 47 & 1) != 0, (int) (d >>> 45) & 3,
                (d >>> 54 & 1) != 0, (d >>> 44 & 1) != 0, (d >>> 53 & 1) != 0, g, (d >>> 52 & 1) != 0, false);
    }
}
