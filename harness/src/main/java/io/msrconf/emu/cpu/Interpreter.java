package io.msrconf.emu.cpu;

import static io.msrconf.emu.cpu.DecodedInstruction.K_CL;
import static io.msrconf.emu.cpu.DecodedInstruction.K_E;
import static io.msrconf.emu.cpu.DecodedInstruction.K_G;
import static io.msrconf.emu.cpu.DecodedInstruction.K_IMM;

import io.msrconf.abi.Msr;
import io.msrconf.vcpu.VcpuExit;
import java.math.BigInteger;
import java.util.List;
import java.util.Objects;

/**
 * The fetch-decode-execute loop of one {@link Cpu}. Each instruction either completes (RIP moves on),
 * raises an exception (nothing changed; {@link ExceptionDelivery} takes over) or ends the run with an
 * exit. Decoded instructions are cached by guest-physical address and dropped when the guest or the
 * harness writes to a 4 KiB frame they came from.
 */
final class Interpreter {

    /** IA32_TSC, which em_rdtsc() reads. */

    private final Cpu cpu;
    private final Mmu mmu;
    private final ExceptionDelivery delivery;
    private final byte[] fetchBuffer = new byte[Decoder.MAX_LENGTH];
    private GuestRam ram;
    private MsrPort msrs;
    /** Whether the instruction executing is KVM's instruction emulator's, behind the forced-emulation prefix. */
    private boolean underKvmEmulator;
    /** Decoded instructions by physical frame, then offset; a frame's array exists once it held code. */
    private DecodedInstruction[][] decoded;
    private int cacheStamp;

    Interpreter(Cpu cpu) {
        this.cpu = cpu;
        this.mmu = new Mmu(cpu);
        this.delivery = new ExceptionDelivery(cpu, mmu);
    }

    VcpuExit run(GuestRam guestRam, MsrPort msrPort, long budget) {
        if (guestRam != ram) {
            ram = guestRam;
            mmu.attach(guestRam);
            decoded = new DecodedInstruction[(int) (guestRam.size() >>> GuestRam.FRAME_SHIFT)][];
            cacheStamp = guestRam.watchedWrites();
        }
        msrs = Objects.requireNonNull(msrPort, "msrs");
        long executed = 0;
        try {
            VcpuExit exit = completePending();
            while (exit == null && executed < budget) {
                executed++;
                exit = step();
            }
            return exit != null ? exit : new VcpuExit.Interrupted();
        } finally {
            cpu.instructionCount += executed;
        }
    }

    private VcpuExit step() {
        try {
            if ((cpu.rflags & Flags.TF) != 0) {
                // Single-stepping would raise #DB after each instruction; no payload sets TF.
                return unimplemented(Decoder.MAX_LENGTH, "single-step trap (RFLAGS.TF set)");
            }
            DecodedInstruction d = fetch();
            VcpuExit exit = execute(d);
            if (d.op != Op.IRET) {
                cpu.rflags &= ~Flags.RF;    // RF lasts one instruction: the one an IRETQ returns to
            }
            return exit;
        } catch (GuestFault fault) {
            return raise(fault);
        } catch (ExitSignal signal) {
            return signal.exit;
        }
    }

    private VcpuExit raise(GuestFault fault) {
        try {
            if (fault.vector == GuestFault.PF) {
                cpu.cr2 = fault.address;
            }
            return delivery.deliverException(fault.vector, fault.errorCode);
        } catch (ExitSignal signal) {
            return signal.exit;
        }
    }

    /** Finishes the instruction the last exit suspended, as KVM's complete_userspace_io callbacks do. */
    private VcpuExit completePending() {
        Cpu.Pending pending = cpu.pending;
        cpu.pending = Cpu.Pending.NONE;
        switch (pending) {
            case PORT_OUT -> {
                // As complete_fast_pio_out: skip the OUT unless userspace moved RIP meanwhile.
                if (cpu.rip == cpu.pendingRip) {
                    cpu.rip += cpu.pendingLength;
                }
            }
            case PORT_IN -> {
                if (cpu.rip == cpu.pendingRip) {
                    setReg(Cpu.RAX, cpu.pendingSize, cpu.completionData);
                    cpu.rip += cpu.pendingLength;
                }
            }
            case MSR_READ, MSR_WRITE -> {
                // As complete_emulated_msr_access: an error is #GP(0) at the instruction, else it completes.
                if (cpu.completionError != 0) {
                    return raise(GuestFault.gp(0));
                }
                if (pending == Cpu.Pending.MSR_READ) {
                    loadEdxEax(cpu.completionData);
                }
                cpu.rip += cpu.pendingLength;
            }
            default -> {
            }
        }
        return null;
    }

    private void suspend(Cpu.Pending kind, DecodedInstruction d, long data) {
        cpu.pending = kind;
        cpu.pendingRip = cpu.rip;
        cpu.pendingLength = d.length;
        cpu.pendingSize = d.opSize;
        cpu.completionError = 0;
        cpu.completionData = data;
    }

    // ---- fetch ----

    private DecodedInstruction fetch() {
        long rip = cpu.rip;
        if (!Mmu.canonical(rip)) {
            throw GuestFault.gp(0);
        }
        long physical = mmu.translate(rip, Mmu.FETCH);
        if (!ram.contains(physical, 1)) {
            throw new ExitSignal(new VcpuExit.Mmio(physical, false, 1));
        }
        if (ram.watchedWrites() != cacheStamp) {
            decoded = new DecodedInstruction[decoded.length][];
            cacheStamp = ram.watchedWrites();
        }
        int frame = (int) (physical >>> GuestRam.FRAME_SHIFT);
        int offset = (int) physical & (Mmu.PAGE_SIZE - 1);
        DecodedInstruction[] page = decoded[frame];
        if (page != null && page[offset] != null && page[offset].address == rip) {
            return page[offset];
        }

        int inPage = Mmu.PAGE_SIZE - offset;
        int n = (int) Math.min(Math.min(Decoder.MAX_LENGTH, inPage), ram.size() - physical);
        ram.copyOut((int) physical, fetchBuffer, 0, n);
        DecodedInstruction d = Decoder.decode(fetchBuffer, 0, n, rip);
        if (d != null) {
            if (page == null) {
                page = new DecodedInstruction[Mmu.PAGE_SIZE];
                decoded[frame] = page;
                ram.watch(physical);
            }
            page[offset] = d;
            return d;
        }
        if (n < Math.min(Decoder.MAX_LENGTH, inPage)) {
            throw new ExitSignal(new VcpuExit.Mmio(physical + n, false, 1));     // the RAM ends inside it
        }
        // The instruction continues on the next page: fetch from there only now that it is needed.
        long nextPage = rip + inPage;
        if (!Mmu.canonical(nextPage)) {
            throw GuestFault.gp(0);
        }
        long nextPhysical = mmu.translate(nextPage, Mmu.FETCH);
        int m = (int) Math.max(0, Math.min(Decoder.MAX_LENGTH - n, ram.size() - nextPhysical));
        ram.copyOut((int) nextPhysical, fetchBuffer, n, m);
        d = Decoder.decode(fetchBuffer, 0, n + m, rip);
        if (d == null) {
            throw new ExitSignal(new VcpuExit.Mmio(nextPhysical + m, false, 1));
        }
        return d;       // not cached: it depends on two translations
    }

    /** Up to {@code count} bytes at RIP, as far as they are mapped and backed (for error reports). */
    private byte[] instructionBytes(int count) {
        byte[] out = new byte[count];
        int n = 0;
        try {
            while (n < count) {
                long physical = mmu.translate(cpu.rip + n, Mmu.FETCH);
                if (!ram.contains(physical, 1)) {
                    break;
                }
                out[n++] = (byte) ram.readLe((int) physical, 1);
            }
        } catch (GuestFault | ExitSignal notFetchable) {
            // the bytes end where the guest could not fetch
        }
        return java.util.Arrays.copyOf(out, n);
    }

    private VcpuExit unimplemented(int length, String mnemonic) {
        return new VcpuExit.Unimplemented(cpu.rip, instructionBytes(length), mnemonic);
    }

    // ---- operands ----

    private long reg(int r, int size) {
        if (r >= 16) {
            return cpu.regs[r - 16] >>> 8 & 0xff;       // AH, CH, DH, BH
        }
        return cpu.regs[r] & Flags.mask(size);
    }

    private void setReg(int r, int size, long value) {
        long[] regs = cpu.regs;
        if (r >= 16) {
            regs[r - 16] = regs[r - 16] & ~0xff00L | (value & 0xff) << 8;
            return;
        }
        switch (size) {
            case 1 -> regs[r] = regs[r] & ~0xffL | value & 0xff;
            case 2 -> regs[r] = regs[r] & ~0xffffL | value & 0xffff;
            case 4 -> regs[r] = value & 0xffffffffL;      // 32-bit writes zero-extend to 64 bits
            default -> regs[r] = value;
        }
    }

    /** The effective address (no segment base), as LEA computes it. */
    private long effectiveAddress(DecodedInstruction d) {
        long address = d.disp;
        if (d.base == DecodedInstruction.RIP) {
            address += cpu.rip + d.length;
        } else if (d.base >= 0) {
            address += cpu.regs[d.base];
        }
        if (d.index >= 0) {
            address += cpu.regs[d.index] << d.scaleShift;
        }
        return d.addr32 ? address & 0xffffffffL : address;
    }

    /** The linear address of the memory operand: in 64-bit mode only FS and GS have a base. */
    private long linear(DecodedInstruction d) {
        long address = effectiveAddress(d);
        if (d.segment == DecodedInstruction.SEG_FS) {
            address += cpu.fs.base();
        } else if (d.segment == DecodedInstruction.SEG_GS) {
            address += cpu.gs.base();
        }
        return address;
    }

    /** The r/m operand; a memory operand is resolved for {@code access} (after RMW, {@link #writeBackE} writes it). */
    private long readE(DecodedInstruction d, int size, int access) {
        if (!d.memory) {
            return reg(d.rm, size);
        }
        mmu.resolve(linear(d), size, access, d.stackSegment);
        return mmu.read();
    }

    private void writeBackE(DecodedInstruction d, int size, long value) {
        if (d.memory) {
            mmu.write(value);
        } else {
            setReg(d.rm, size, value);
        }
    }

    private void storeE(DecodedInstruction d, int size, long value) {
        if (d.memory) {
            mmu.write(linear(d), size, value, d.stackSegment);
        } else {
            setReg(d.rm, size, value);
        }
    }

    private long source(DecodedInstruction d, int size) {
        return switch (d.src) {
            case K_G -> reg(d.reg, size);
            case K_E -> readE(d, size, Mmu.READ);
            case K_IMM -> d.imm & Flags.mask(size);
            case K_CL -> cpu.regs[Cpu.RCX] & 0xff;
            default -> throw new IllegalStateException("no source operand in " + d);
        };
    }

    private void setArithmeticFlags(long flags) {
        cpu.rflags = cpu.rflags & ~Flags.ARITHMETIC | flags;
    }

    private void push(long value, int size) {
        long rsp = cpu.regs[Cpu.RSP] - size;
        mmu.write(rsp, size, value, true);
        cpu.regs[Cpu.RSP] = rsp;
    }

    private void loadEdxEax(long value) {
        cpu.regs[Cpu.RAX] = value & 0xffffffffL;
        cpu.regs[Cpu.RDX] = value >>> 32;
    }

    private long branchTarget(long target) {
        if (!Mmu.canonical(target)) {
            throw GuestFault.gp(0);
        }
        return target;
    }

    // ---- execute ----

    private VcpuExit execute(DecodedInstruction d) {
        long next = cpu.rip + d.length;
        int size = d.opSize;
        switch (d.op) {
            case ALU -> alu(d, size);
            case TEST -> setArithmeticFlags(Flags.zsp(d.dst == K_E ? readE(d, size, Mmu.READ) & source(d, size)
                    : reg(d.reg, size) & source(d, size), size));
            case MOV -> {
                long value = source(d, size);
                if (d.dst == K_E) {
                    storeE(d, size, value);
                } else {
                    setReg(d.reg, size, value);
                }
            }
            case MOVZX -> setReg(d.reg, size, readE(d, d.srcSize, Mmu.READ));
            case MOVSX -> setReg(d.reg, size, Flags.signExtend(readE(d, d.srcSize, Mmu.READ), d.srcSize));
            case LEA -> setReg(d.reg, size, effectiveAddress(d));
            case XCHG -> {
                long other = reg(d.reg, size);
                long mine = readE(d, size, Mmu.RMW);
                writeBackE(d, size, other);
                setReg(d.reg, size, mine);
            }
            case INC, DEC -> {
                long a = readE(d, size, Mmu.RMW);
                boolean inc = d.op == Op.INC;
                long r = inc ? a + 1 : a - 1;
                long flags = inc ? Flags.add(a, 1, 0, r, size) : Flags.sub(a, 1, 0, r, size);
                setArithmeticFlags(flags & ~Flags.CF | cpu.rflags & Flags.CF);
                writeBackE(d, size, r);
            }
            case NOT -> writeBackE(d, size, ~readE(d, size, Mmu.RMW));
            case NEG -> {
                long a = readE(d, size, Mmu.RMW);
                setArithmeticFlags(Flags.sub(0, a, 0, -a, size));
                writeBackE(d, size, -a);
            }
            case SHIFT -> shift(d, size);
            case MUL, IMUL1 -> multiplyAccumulator(d, size);
            case DIV, IDIV -> divide(d, size);
            case IMUL -> {
                long a = readE(d, size, Mmu.READ);
                long b = d.sub == 1 ? d.imm & Flags.mask(size) : reg(d.reg, size);
                long sa = Flags.signExtend(a, size);
                long sb = Flags.signExtend(b, size);
                long product = sa * sb;
                boolean overflow = size == 8 ? Math.multiplyHigh(sa, sb) != product >> 63
                        : product != Flags.signExtend(product, size);
                setMultiplyFlags(overflow);
                setReg(d.reg, size, product);
            }
            case CMOV -> {
                long value = readE(d, size, Mmu.READ);
                // A 32-bit CMOV writes its destination, zero-extending it, even when the condition is false.
                setReg(d.reg, size, Flags.condition(d.sub, cpu.rflags) ? value : reg(d.reg, size));
            }
            case SETCC -> storeE(d, 1, Flags.condition(d.sub, cpu.rflags) ? 1 : 0);
            case WIDEN_ACC -> setReg(Cpu.RAX, size, Flags.signExtend(reg(Cpu.RAX, size / 2), size / 2));
            case SIGN_EXTEND_ACC -> setReg(Cpu.RDX, size, (reg(Cpu.RAX, size) & Flags.signBit(size)) != 0 ? -1 : 0);
            case JMP -> {
                cpu.rip = branchTarget(next + d.imm);
                return null;
            }
            case JCC -> {
                cpu.rip = Flags.condition(d.sub, cpu.rflags) ? branchTarget(next + d.imm) : next;
                return null;
            }
            case CALL -> {
                long target = branchTarget(next + d.imm);
                push(next, 8);
                cpu.rip = target;
                return null;
            }
            case JMP_INDIRECT -> {
                cpu.rip = branchTarget(readE(d, 8, Mmu.READ));
                return null;
            }
            case CALL_INDIRECT -> {
                long target = branchTarget(readE(d, 8, Mmu.READ));
                push(next, 8);
                cpu.rip = target;
                return null;
            }
            case RET -> {
                long rsp = cpu.regs[Cpu.RSP];
                long target = branchTarget(mmu.read(rsp, 8, true));
                cpu.regs[Cpu.RSP] = rsp + 8 + d.imm;
                cpu.rip = target;
                return null;
            }
            case PUSH -> push(d.src == K_IMM ? d.imm & Flags.mask(size)
                    : d.dst == K_G ? reg(d.reg, size) : readE(d, size, Mmu.READ), size);
            case POP -> pop(d, size);
            case LEAVE -> {
                long rbp = cpu.regs[Cpu.RBP];
                long value = mmu.read(rbp, size, true);
                cpu.regs[Cpu.RSP] = rbp + size;
                setReg(Cpu.RBP, size, value);
            }
            case PUSHF -> push(cpu.rflags & ~(Flags.RF | Flags.VM), size);
            case POPF -> {
                long rsp = cpu.regs[Cpu.RSP];
                long value = mmu.read(rsp, size, true);
                cpu.regs[Cpu.RSP] = rsp + size;
                // At CPL 0 POPF writes every flag but VM, VIF and VIP (kept) and RF (cleared).
                long writable = (size == 2 ? 0xffff : -1L) & Flags.DEFINED & ~(Flags.RF | Flags.VM | Flags.VIF | Flags.VIP);
                cpu.rflags = (cpu.rflags & ~writable & ~Flags.RF) | (value & writable) | Flags.FIXED;
            }
            case NOP -> {
            }
            case CLC -> cpu.rflags &= ~Flags.CF;
            case STC -> cpu.rflags |= Flags.CF;
            case CMC -> cpu.rflags ^= Flags.CF;
            case CLD -> cpu.rflags &= ~Flags.DF;
            case STD -> cpu.rflags |= Flags.DF;
            case CLI -> cpu.rflags &= ~Flags.IF;
            case STI -> cpu.rflags |= Flags.IF;
            case HLT -> {
                cpu.rip = next;
                return new VcpuExit.Hlt();
            }
            case OUT -> {
                int port = (int) (d.src == K_IMM ? d.imm : cpu.regs[Cpu.RDX] & 0xffff);
                long value = reg(Cpu.RAX, size);
                suspend(Cpu.Pending.PORT_OUT, d, value);
                return new VcpuExit.Io(true, port, size, 1, value);
            }
            case IN -> {
                int port = (int) (d.src == K_IMM ? d.imm : cpu.regs[Cpu.RDX] & 0xffff);
                suspend(Cpu.Pending.PORT_IN, d, 0);
                return new VcpuExit.Io(false, port, size, 1, 0);
            }
            case RDMSR -> {
                int index = (int) cpu.regs[Cpu.RCX];
                MsrResult result = Objects.requireNonNull(msrs.rdmsr(index), "MsrPort.rdmsr returned null");
                if (result instanceof MsrResult.ExitToUserspace exit) {
                    suspend(Cpu.Pending.MSR_READ, d, exit.data());
                    return new VcpuExit.Msr(false, exit.reason(), index, exit.data());
                }
                if (result instanceof MsrResult.Fault) {
                    throw GuestFault.gp(0);
                }
                loadEdxEax(((MsrResult.Done) result).value());
            }
            case WRMSR -> {
                int index = (int) cpu.regs[Cpu.RCX];
                long value = cpu.regs[Cpu.RDX] << 32 | cpu.regs[Cpu.RAX] & 0xffffffffL;
                MsrResult result = Objects.requireNonNull(underKvmEmulator ? msrs.emulatedWrmsr(index, value) : msrs.wrmsr(index, value),
                        "MsrPort returned no result for a WRMSR");
                if (result instanceof MsrResult.EmulationFails) {
                    // handle_emulation_failure(): "kvm_queue_exception(vcpu, UD_VECTOR);" and, the guest being at CPL 0,
                    // the failure exit; RIP stays at the instruction. The step ends here, so the #UD is never delivered.
                    return new VcpuExit.InternalError(VcpuExit.InternalError.EMULATION, List.of());
                }
                if (result instanceof MsrResult.ExitToUserspace exit) {
                    suspend(Cpu.Pending.MSR_WRITE, d, exit.data());
                    return new VcpuExit.Msr(true, exit.reason(), index, exit.data());
                }
                if (result instanceof MsrResult.Fault) {
                    throw GuestFault.gp(0);
                }
                if (result instanceof MsrResult.RunFails f) {
                    return new VcpuExit.RunFailed(f.errno());
                }
            }
            case RDTSC -> loadEdxEax(msrs.tsc());
            case IRET -> {
                String notImplemented = delivery.iretq();
                return notImplemented == null ? null : unimplemented(d.length, notImplemented);
            }
            case INT3 -> {
                return delivery.deliverSoftwareInterrupt(GuestFault.BP, next);
            }
            case INT -> {
                return delivery.deliverSoftwareInterrupt((int) d.imm, next);
            }
            case LGDT, LIDT -> {
                long at = linear(d);
                int limit = (int) mmu.read(at, 2, d.stackSegment);
                long base = mmu.read(at + 2, 8, d.stackSegment);
                if (d.op == Op.LGDT) {
                    cpu.gdtBase = base;
                    cpu.gdtLimit = limit;
                } else {
                    cpu.idtBase = base;
                    cpu.idtLimit = limit;
                }
            }
            case SGDT, SIDT -> {
                long at = linear(d);
                mmu.probeWrite(at, 10, d.stackSegment);
                boolean gdt = d.op == Op.SGDT;
                mmu.write(at, 2, gdt ? cpu.gdtLimit : cpu.idtLimit, d.stackSegment);
                mmu.write(at + 2, 8, gdt ? cpu.gdtBase : cpu.idtBase, d.stackSegment);
            }
            case UNDEFINED -> {
                if (msrs.forcedEmulationPrefix()
                        && Decoder.isKvmForcedEmulationPrefix(instructionBytes(Decoder.KVM_FORCED_EMULATION_PREFIX_LENGTH), 0)) {
                    return forcedEmulation();
                }
                throw GuestFault.of(GuestFault.UD, 0);
            }
            case TOO_LONG -> throw GuestFault.gp(0);
            case UNIMPLEMENTED, UNKNOWN -> {
                return unimplemented(d.isKnown() ? d.length : Decoder.MAX_LENGTH, d.mnemonic);
            }
        }
        cpu.rip = next;
        return null;
    }

    /**
     * KVM's handle_ud() with kvm.force_emulation_prefix: the #UD of the prefix's UD2 goes to KVM, which
     * moves RIP past the prefix ("kvm_rip_write(vcpu, kvm_rip_read(vcpu) + sizeof(sig))") and runs the
     * next instruction through its instruction emulator (EMULTYPE_TRAP_UD_FORCED). An exception that
     * instruction raises points at it, past the prefix. Only the instructions the payloads force are
     * modelled; any other is reported as not implemented, never guessed.
     */
    private VcpuExit forcedEmulation() {
        cpu.rip += Decoder.KVM_FORCED_EMULATION_PREFIX_LENGTH;
        DecodedInstruction e = fetch();
        switch (e.op) {
            case RDTSC -> {
                // em_rdtsc(): "u64 tsc = 0; ctxt->ops->get_msr(ctxt, MSR_IA32_TSC, &tsc);" -- the result is not
                // checked, so a read that fails leaves 0 in EDX:EAX. The read is a side effect: the model decides
                // whether the filter applies to it (not since 5.18).
                MsrResult read = Objects.requireNonNull(msrs.emulatorImplicitRead(Msr.MSR_IA32_TSC),
                        "MsrPort.emulatorImplicitRead returned null");
                loadEdxEax(read instanceof MsrResult.Done done ? done.value() : 0);
                cpu.rip += e.length;
                return null;
            }
            case RDMSR, WRMSR -> {
                // em_rdmsr()/em_wrmsr(): the emulator's *_with_filter hooks, i.e. the same filter check,
                // userspace exits and #GP as an intercepted RDMSR/WRMSR (kvm_emulate_rdmsr/wrmsr).
                underKvmEmulator = true;
                try {
                    return execute(e);
                } finally {
                    underKvmEmulator = false;
                }
            }
            default -> {
                return unimplemented(e.length, "forced emulation of " + e.mnemonic
                        + " (the model runs only RDTSC, RDMSR and WRMSR behind KVM's forced-emulation prefix)");
            }
        }
    }

    private void alu(DecodedInstruction d, int size) {
        boolean writes = d.sub != 7;        // CMP only reads
        long b = source(d, size);
        long a = d.dst == K_E ? readE(d, size, writes ? Mmu.RMW : Mmu.READ) : reg(d.reg, size);
        long carry = cpu.rflags & Flags.CF;
        long r;
        long flags;
        switch (d.sub) {
            case 0 -> {
                r = a + b;
                flags = Flags.add(a, b, 0, r, size);
            }
            case 1 -> {
                r = a | b;
                flags = Flags.zsp(r, size);
            }
            case 2 -> {
                r = a + b + carry;
                flags = Flags.add(a, b, carry, r, size);
            }
            case 3 -> {
                r = a - b - carry;
                flags = Flags.sub(a, b, carry, r, size);
            }
            case 4 -> {
                r = a & b;
                flags = Flags.zsp(r, size);
            }
            case 6 -> {
                r = a ^ b;
                flags = Flags.zsp(r, size);
            }
            default -> {
                r = a - b;
                flags = Flags.sub(a, b, 0, r, size);
            }
        }
        setArithmeticFlags(flags);
        if (writes) {
            if (d.dst == K_E) {
                writeBackE(d, size, r);
            } else {
                setReg(d.reg, size, r);
            }
        }
    }

    private void shift(DecodedInstruction d, int size) {
        int count = (int) source(d, 1) & (size == 8 ? 63 : 31);
        long a = readE(d, size, Mmu.RMW);
        if (count == 0) {
            writeBackE(d, size, a);     // flags untouched; a 32-bit register is still zero-extended
            return;
        }
        int bits = size * 8;
        long sign = Flags.signBit(size);
        long mask = Flags.mask(size);
        long r;
        long flags = cpu.rflags;
        switch (d.sub) {
            case 0, 1 -> {
                int n = count % bits;
                r = d.sub == 0 ? (a << n | a >>> (bits - n)) & mask : (a >>> n | a << (bits - n)) & mask;
                if (n == 0) {
                    r = a;
                }
                boolean cf = d.sub == 0 ? (r & 1) != 0 : (r & sign) != 0;
                boolean of = d.sub == 0 ? ((r & sign) != 0) != cf : ((r & sign) != 0) != ((r & sign >>> 1) != 0);
                flags = flags & ~(Flags.CF | Flags.OF) | (cf ? Flags.CF : 0) | (of ? Flags.OF : 0);
                cpu.rflags = flags;
                writeBackE(d, size, r);
                return;
            }
            case 4 -> {
                r = a << count & mask;
                boolean cf = count <= bits && (size == 8 ? a >>> (64 - count) & 1 : a << count >>> bits & 1) != 0;
                boolean of = ((r & sign) != 0) != cf;
                flags = Flags.zsp(r, size) | (cf ? Flags.CF : 0) | (of ? Flags.OF : 0);
            }
            case 5 -> {
                r = a >>> count;
                boolean cf = (a >>> (count - 1) & 1) != 0;
                flags = Flags.zsp(r, size) | (cf ? Flags.CF : 0) | ((a & sign) != 0 ? Flags.OF : 0);
            }
            default -> {
                long sa = Flags.signExtend(a, size);
                r = sa >> count & mask;
                boolean cf = (sa >> (count - 1) & 1) != 0;
                flags = Flags.zsp(r, size) | (cf ? Flags.CF : 0);
            }
        }
        setArithmeticFlags(flags);
        writeBackE(d, size, r);
    }

    private void setMultiplyFlags(boolean overflow) {
        cpu.rflags = cpu.rflags & ~(Flags.CF | Flags.OF) | (overflow ? Flags.CF | Flags.OF : 0);
    }

    /** MUL/IMUL r/m: rDX:rAX (AX for bytes) = rAX * r/m. */
    private void multiplyAccumulator(DecodedInstruction d, int size) {
        long b = readE(d, size, Mmu.READ);
        long a = reg(Cpu.RAX, size);
        boolean signed = d.op == Op.IMUL1;
        long low;
        long high;
        if (size == 8) {
            low = a * b;
            high = signed ? Math.multiplyHigh(a, b) : Math.multiplyHigh(a, b) + (a >> 63 & b) + (b >> 63 & a);
        } else {
            long product = signed ? Flags.signExtend(a, size) * Flags.signExtend(b, size) : a * b;
            low = product & Flags.mask(size);
            high = product >> (8 * size) & Flags.mask(size);
        }
        boolean overflow = signed ? high != (Flags.signExtend(low, size) >> 63 & Flags.mask(size)) : high != 0;
        setMultiplyFlags(overflow);
        if (size == 1) {
            setReg(Cpu.RAX, 2, high << 8 | low);
        } else {
            setReg(Cpu.RAX, size, low);
            setReg(Cpu.RDX, size, high);
        }
    }

    /** DIV/IDIV r/m: rDX:rAX (AX for bytes) / r/m; #DE on a zero divisor or a quotient that does not fit. */
    private void divide(DecodedInstruction d, int size) {
        long divisor = readE(d, size, Mmu.READ);
        if (divisor == 0) {
            throw GuestFault.of(GuestFault.DE, 0);
        }
        boolean signed = d.op == Op.IDIV;
        int bits = 8 * size;
        BigInteger high = BigInteger.valueOf(size == 1 ? reg(Cpu.RAX, 2) >>> 8 : reg(Cpu.RDX, size)).and(unsignedMask(bits));
        BigInteger dividend = high.shiftLeft(bits).or(BigInteger.valueOf(reg(Cpu.RAX, size)).and(unsignedMask(bits)));
        BigInteger by = BigInteger.valueOf(divisor).and(unsignedMask(bits));
        if (signed) {
            dividend = toSigned(dividend, 2 * bits);
            by = toSigned(by, bits);
        }
        BigInteger[] qr = dividend.divideAndRemainder(by);
        BigInteger min = signed ? BigInteger.ONE.shiftLeft(bits - 1).negate() : BigInteger.ZERO;
        BigInteger max = signed ? BigInteger.ONE.shiftLeft(bits - 1).subtract(BigInteger.ONE) : unsignedMask(bits);
        if (qr[0].compareTo(min) < 0 || qr[0].compareTo(max) > 0) {
            throw GuestFault.of(GuestFault.DE, 0);
        }
        long quotient = qr[0].longValue();
        long remainder = qr[1].longValue();
        if (size == 1) {
            setReg(Cpu.RAX, 2, (remainder & 0xff) << 8 | quotient & 0xff);
        } else {
            setReg(Cpu.RAX, size, quotient);
            setReg(Cpu.RDX, size, remainder);
        }
    }

    private static BigInteger unsignedMask(int bits) {
        return BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE);
    }

    private static BigInteger toSigned(BigInteger unsigned, int bits) {
        return unsigned.testBit(bits - 1) ? unsigned.subtract(BigInteger.ONE.shiftLeft(bits)) : unsigned;
    }

    /** POP r/m: a memory destination addressed through RSP sees RSP already incremented (SDM, POP). */
    private void pop(DecodedInstruction d, int size) {
        long rsp = cpu.regs[Cpu.RSP];
        long value = mmu.read(rsp, size, true);
        cpu.regs[Cpu.RSP] = rsp + size;
        if (d.dst == K_G) {
            setReg(d.reg, size, value);
            return;
        }
        try {
            storeE(d, size, value);
        } catch (GuestFault | ExitSignal e) {
            cpu.regs[Cpu.RSP] = rsp;
            throw e;
        }
    }
}
