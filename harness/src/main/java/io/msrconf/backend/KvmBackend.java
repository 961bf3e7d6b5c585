package io.msrconf.backend;

import static io.msrconf.kvm.sys.KvmIoctls.KVM_CAP_IRQCHIP;
import static io.msrconf.kvm.sys.KvmIoctls.KVM_CAP_X86_MSR_FILTER;
import static io.msrconf.kvm.sys.KvmIoctls.KVM_CAP_X86_USER_SPACE_MSR;

import io.msrconf.guest.GuestLayout;
import io.msrconf.guest.MsrScriptTable;
import io.msrconf.guest.Payload;
import io.msrconf.kvm.CpuidEntries;
import io.msrconf.kvm.Errno;
import io.msrconf.kvm.GuestMemory;
import io.msrconf.kvm.Kvm;
import io.msrconf.kvm.KvmException;
import io.msrconf.kvm.KvmRun;
import io.msrconf.kvm.Registers;
import io.msrconf.kvm.SpecialRegisters;
import io.msrconf.kvm.Vcpu;
import io.msrconf.kvm.Vm;
import io.msrconf.kvm.sys.KvmIoctls;
import io.msrconf.spec.Access;
import io.msrconf.spec.Case;
import io.msrconf.spec.MsrOp;
import io.msrconf.spec.Step;
import io.msrconf.spec.UserspaceAnswer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Runs cases on the machine's real KVM through /dev/kvm: one fresh VM (in-kernel irqchip, 2 MiB of
 * memory, one vCPU with the CPUID KVM supports) per case, so no case sees another's state.
 */
public final class KvmBackend implements Backend {

    public static final String NAME = "kvm";
    /** IA32_APIC_BASE: base 0xfee00000 | BSP (bit 8) | EN (bit 11) | EXTD (bit 10, x2APIC mode). */
    static final int MSR_IA32_APIC_BASE = 0x1b;
    static final long APIC_BASE_X2APIC = 0xfee00000L | 1 << 8 | 1 << 11 | 1 << 10;
    /** A run's exit budget: far above what any script needs (one exit per access at most, plus the report). */
    private static final int MAX_EXITS_PER_RUN = 4 * MsrScriptTable.MAX_ENTRIES + 16;

    private final Kvm kvm;
    private final String unavailable;
    private final CpuidEntries cpuid;
    private final Payload payload;
    private final byte[] systemTables;
    private final Duration runTimeout;

    private KvmBackend(Kvm kvm, String unavailable, Duration runTimeout, Payload payload) {
        this.kvm = kvm;
        this.unavailable = unavailable;
        this.runTimeout = runTimeout;
        this.payload = payload;
        this.systemTables = GuestLayout.systemTables(payload);
        this.cpuid = kvm == null ? null : kvm.supportedCpuid();
    }

    /**
     * Opens /dev/kvm. When KVM cannot be used here, the backend still exists and every case is skipped
     * with the reason ({@link Kvm#unavailableReason()}, which also honours msrconf.kvm=off).
     */
    public static KvmBackend open() {
        return open(Duration.ofSeconds(5));
    }

    public static KvmBackend open(Duration runTimeout) {
        return open(runTimeout, Payload.load(Payload.MSR_SCRIPT));
    }

    /** With another payload than msr_script: for the harness's self-tests (timeouts, crashes). */
    public static KvmBackend open(Duration runTimeout, Payload payload) {
        Optional<String> reason = Kvm.unavailableReason();
        if (reason.isPresent()) {
            return new KvmBackend(null, reason.get(), runTimeout, payload);
        }
        return new KvmBackend(Kvm.open(), null, runTimeout, payload);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Optional<String> cannotRun(Case c) {
        if (unavailable != null) {
            return Optional.of(unavailable);
        }
        if (kvm.checkExtension(KVM_CAP_IRQCHIP) == 0) {
            return Optional.of("KVM lacks KVM_CAP_IRQCHIP (the in-kernel local APIC every case runs with)");
        }
        if (c.usesFilter() && kvm.checkExtension(KVM_CAP_X86_MSR_FILTER) == 0) {
            return Optional.of("KVM lacks KVM_CAP_X86_MSR_FILTER");
        }
        if (!c.vcpu().userspaceExits().isEmpty()) {
            int supported = kvm.checkExtension(KVM_CAP_X86_USER_SPACE_MSR);
            if (supported == 0) {
                return Optional.of("KVM lacks KVM_CAP_X86_USER_SPACE_MSR");
            }
        }
        return Optional.empty();
    }

    @Override
    public Observation run(Case c) {
        List<StepOutcome> outcomes = new ArrayList<>();
        try (Vm vm = kvm.createVm()) {
            vm.createIrqchip();
            GuestMemory memory = vm.mapMemory(GuestLayout.MEMORY_SIZE);
            memory.write(GuestLayout.SYSTEM_TABLES_START, systemTables);
            memory.write(GuestLayout.PAYLOAD_BASE, payload.image());
            if (!c.vcpu().userspaceExits().isEmpty()) {
                vm.enableCap(KVM_CAP_X86_USER_SPACE_MSR, c.vcpu().exitReasonMask());
            }
            Vcpu vcpu = vm.createVcpu(0);
            vcpu.setCpuid(cpuid);
            if (c.vcpu().x2apic()) {
                int set = vcpu.setMsrs(new int[] {MSR_IA32_APIC_BASE}, new long[] {APIC_BASE_X2APIC});
                if (set != 1) {
                    throw new KvmException("KVM_SET_MSRS(IA32_APIC_BASE = x2APIC mode)", set < 0 ? -set : 0);
                }
            }
            for (Step step : c.steps()) {
                outcomes.add(runStep(step, vm, vcpu, memory));
            }
        }
        return new Observation(NAME, outcomes);
    }

    private StepOutcome runStep(Step step, Vm vm, Vcpu vcpu, GuestMemory memory) {
        if (step instanceof Step.SetFilter s) {
            return new StepOutcome.FilterSet(vm.setMsrFilter(s.filter()));
        }
        if (step instanceof Step.RunGuest r) {
            return runGuest(r.accesses(), vcpu, memory);
        }
        if (step instanceof Step.HostSetMsrs h) {
            int[] idx = h.msrs().stream().mapToInt(Step.MsrValue::index).toArray();
            long[] values = h.msrs().stream().mapToLong(Step.MsrValue::value).toArray();
            return new StepOutcome.HostMsrsSet(vcpu.setMsrs(idx, values));
        }
        Step.HostGetMsrs h = (Step.HostGetMsrs) step;
        int[] idx = h.msrs().stream().mapToInt(Step.MsrRead::index).toArray();
        long[] values = new long[idx.length];
        int result = vcpu.getMsrs(idx, values);
        List<Long> got = new ArrayList<>();
        for (int i = 0; i < Math.max(0, Math.min(result, values.length)); i++) {
            got.add(values[i]);
        }
        return new StepOutcome.HostMsrsGot(result, got);
    }

    private StepOutcome.GuestRan runGuest(List<Access> accesses, Vcpu vcpu, GuestMemory memory) {
        ScriptRun script = new ScriptRun(accesses);
        memory.write(GuestLayout.SCRIPT_TABLE, script.table());
        resetCpu(vcpu);
        RunEnd end = runLoop(script, vcpu, memory);
        return script.finish(memory.read(GuestLayout.SCRIPT_TABLE, script.tableSize()), end, payload);
    }

    /** Every run starts from the layout's start state, whatever the previous run left behind. */
    private void resetCpu(Vcpu vcpu) {
        GuestLayout.StartState s = GuestLayout.startState(payload);
        SpecialRegisters sregs = vcpu.getSregs();
        sregs.cs = segment(s.cs());
        sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = segment(s.data());
        sregs.tr = segment(s.tr());
        sregs.gdt = new SpecialRegisters.DescriptorTable(s.gdtBase(), s.gdtLimit());
        sregs.idt = new SpecialRegisters.DescriptorTable(s.idtBase(), s.idtLimit());
        sregs.cr0 = s.cr0();
        sregs.cr3 = s.cr3();
        sregs.cr4 = s.cr4();
        sregs.efer = s.efer();
        vcpu.setSregs(sregs);
        vcpu.setRegs(Registers.zero().withRip(s.rip()).withRsp(s.rsp()).withRflags(s.rflags()));
    }

    private static SpecialRegisters.Segment segment(GuestLayout.Segment s) {
        return new SpecialRegisters.Segment(s.base(), s.limit(), s.selector(), s.type(), s.present() ? 1 : 0, s.dpl(),
                s.db() ? 1 : 0, s.s() ? 1 : 0, s.l() ? 1 : 0, s.g() ? 1 : 0, 0, 0);
    }

    private RunEnd runLoop(ScriptRun script, Vcpu vcpu, GuestMemory memory) {
        KvmRun run = vcpu.runState();
        long deadline = System.nanoTime() + runTimeout.toNanos();
        for (int count = 0; count < MAX_EXITS_PER_RUN; count++) {
            int rc = vcpu.run(deadline);
            if (rc == Errno.EINTR) {
                if (System.nanoTime() - deadline >= 0) {
                    return new RunEnd.TimedOut(runTimeout.toMillis(), count);
                }
                continue;
            }
            if (rc != 0) {
                return crashed(vcpu, "KVM_RUN failed with " + Errno.describe(rc));
            }
            int reason = run.exitReason();
            if (reason == KvmIoctls.KVM_EXIT_IO) {
                boolean out = run.ioDirection() == KvmIoctls.KVM_EXIT_IO_OUT;
                Optional<RunEnd> end = GuestReport.of(run.ioPort(), out, run.ioSize(), run.ioCount(), run.ioDataU32());
                if (end.isPresent()) {
                    return end.get();
                }
                return crashed(vcpu, GuestReport.describeStray(run.ioPort(), out, run.ioSize(), run.ioCount(), run.ioDataU32()));
            }
            if (reason == KvmIoctls.KVM_EXIT_X86_RDMSR || reason == KvmIoctls.KVM_EXIT_X86_WRMSR) {
                MsrOp op = reason == KvmIoctls.KVM_EXIT_X86_RDMSR ? MsrOp.RDMSR : MsrOp.WRMSR;
                MsrExit exit = new MsrExit(op, run.msrReason(), run.msrIndex(), run.msrData());
                // The guest counts finished entries, so the exit belongs to entry number "completed".
                long completed = Integer.toUnsignedLong(memory.readU32(GuestLayout.SCRIPT_TABLE + MsrScriptTable.HDR_COMPLETED));
                Optional<UserspaceAnswer> answer = script.onMsrExit(completed, exit);
                if (answer.isEmpty()) {
                    return crashed(vcpu, script.describeStrayExit(completed, exit));
                }
                run.setMsrError(answer.get().error());
                if (op == MsrOp.RDMSR) {
                    run.setMsrData(answer.get().data());
                }
                continue;
            }
            return crashed(vcpu, "unexpected exit " + run.describe());
        }
        return crashed(vcpu, "the guest exceeded the exit budget of " + MAX_EXITS_PER_RUN + " exits in one run");
    }

    private RunEnd crashed(Vcpu vcpu, String what) {
        String registers;
        try {
            Registers regs = vcpu.getRegs();
            registers = "RIP is at " + payload.symbolize(regs.rip()) + "\n" + regs.describe() + "\n" + vcpu.getSregs().describe();
        } catch (KvmException e) {
            registers = "(registers unavailable: " + e.getMessage() + ")";
        }
        return new RunEnd.Crashed(what, registers);
    }

    @Override
    public void close() {
        if (kvm != null) {
            kvm.close();
        }
    }
}
