package io.msrconf.backend;

import static io.msrconf.abi.KvmCap.KVM_CAP_IRQCHIP;
import static io.msrconf.abi.KvmCap.KVM_CAP_X86_MSR_FILTER;
import static io.msrconf.abi.KvmCap.KVM_CAP_X86_USER_SPACE_MSR;

import io.msrconf.abi.KvmExit;
import io.msrconf.filter.MsrFilter;
import io.msrconf.guest.GuestLayout;
import io.msrconf.guest.MsrScriptTable;
import io.msrconf.guest.Payload;
import io.msrconf.kvm.CpuidEntries;
import io.msrconf.abi.Errno;
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
import io.msrconf.spec.CpuidFeature;
import io.msrconf.spec.MsrOp;
import io.msrconf.spec.Step;
import io.msrconf.spec.UserspaceAnswer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntUnaryOperator;

/**
 * Runs cases on the machine's real KVM through /dev/kvm: by default one fresh VM (in-kernel irqchip,
 * 2 MiB of memory, one vCPU with the CPUID KVM supports) per case, so no case sees another's state.
 *
 * <p>{@link #openReusing()} instead keeps one VM, vCPU and guest memory and, before each case, puts
 * back everything a case can change (see {@link ReusedVm}), so that the case observes what it would on
 * a fresh VM, at a fraction of the cost. KvmReuseEquivalenceTest holds the two modes to the same
 * observations for every spec case.
 */
public final class KvmBackend implements Backend {

    public static final String NAME = "kvm";
    /** IA32_APIC_BASE: base 0xfee00000 | BSP (bit 8) | EN (bit 11) | EXTD (bit 10, x2APIC mode). */
    static final int MSR_IA32_APIC_BASE = 0x1b;
    static final long APIC_BASE_X2APIC = 0xfee00000L | 1 << 8 | 1 << 11 | 1 << 10;
    /** The kvm module parameter that makes KVM honour its forced-emulation prefix (x86.c handle_ud()). */
    static final Path FORCE_EMULATION_PREFIX = Path.of("/sys/module/kvm/parameters/force_emulation_prefix");
    /** A run's exit budget: far above what any script needs (one exit per access at most, plus the report). */
    private static final int MAX_EXITS_PER_RUN = 4 * MsrScriptTable.MAX_ENTRIES + 16;

    private final Kvm kvm;
    private final String unavailable;
    private final Capabilities capabilities;
    /** Why KVM here does not honour its forced-emulation prefix; empty when it does. Read once per backend. */
    private final Optional<String> noForcedEmulation;
    private final CpuidEntries cpuid;
    private final Payload payload;
    private final byte[] systemTables;
    /** The payload's image, copied once (Payload.image() clones on every call). */
    private final byte[] payloadImage;
    private final Duration runTimeout;
    private final long runTimeoutNanos;
    // the layout's start state, converted once: every run starts from it
    private final SpecialRegisters.Segment startCs;
    private final SpecialRegisters.Segment startData;
    private final SpecialRegisters.Segment startTr;
    private final SpecialRegisters.DescriptorTable startGdt;
    private final SpecialRegisters.DescriptorTable startIdt;
    private final GuestLayout.StartState start;
    private final Registers startRegs;
    /** Non-null in VM-reuse mode; its VM is created on the first case and replaced after a run that ended badly. */
    private final boolean reuse;
    private ReusedVm reused;
    /** The benchmark's timing hook; null (the default) costs one null check per phase. */
    private PhaseTimer timer;

    /** The phases of a case, as the benchmark splits them. */
    public enum Phase {
        /** Fresh VM: create the VM, irqchip, memory, vCPU, CPUID, APIC mode. Reused VM: put the VM back to that state. */
        VM_SETUP,
        /** KVM_X86_SET_MSR_FILTER steps. */
        FILTER,
        /** Guest runs and the host KVM_GET_MSRS/KVM_SET_MSRS steps. */
        RUN,
        /** Closing the fresh VM (nothing in reuse mode). */
        TEARDOWN
    }

    /** Receives the time of each phase of each case, in nanoseconds (System.nanoTime). */
    @FunctionalInterface
    public interface PhaseTimer {
        void record(Phase phase, long nanos);
    }

    private KvmBackend(Kvm kvm, String unavailable, Duration runTimeout, Payload payload, boolean reuse) {
        this.kvm = kvm;
        this.capabilities = kvm == null ? null : Capabilities.of(kvm::checkExtension);
        this.noForcedEmulation = kvm == null ? Optional.empty() : forcedEmulationUnavailable(FORCE_EMULATION_PREFIX);
        this.unavailable = unavailable;
        this.runTimeout = runTimeout;
        this.runTimeoutNanos = runTimeout.toNanos();
        this.payload = payload;
        this.reuse = reuse;
        this.systemTables = GuestLayout.systemTables(payload);
        this.payloadImage = payload.image();
        this.cpuid = kvm == null ? null : kvm.supportedCpuid();
        this.start = GuestLayout.startState(payload);
        this.startCs = segment(start.cs());
        this.startData = segment(start.data());
        this.startTr = segment(start.tr());
        this.startGdt = new SpecialRegisters.DescriptorTable(start.gdtBase(), start.gdtLimit());
        this.startIdt = new SpecialRegisters.DescriptorTable(start.idtBase(), start.idtLimit());
        this.startRegs = Registers.zero().withRip(start.rip()).withRsp(start.rsp()).withRflags(start.rflags());
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
        return open(runTimeout, payload, false);
    }

    /**
     * VM-reuse mode: one VM and vCPU for all cases, reset between cases to the state of a fresh VM.
     * Much faster; the fresh default remains the choice for a conformance verdict, where isolation
     * matters more than speed (a kernel bug in the reset path itself cannot leak into a verdict).
     */
    public static KvmBackend openReusing() {
        return openReusing(Duration.ofSeconds(5));
    }

    public static KvmBackend openReusing(Duration runTimeout) {
        return open(runTimeout, Payload.load(Payload.MSR_SCRIPT), true);
    }

    private static KvmBackend open(Duration runTimeout, Payload payload, boolean reuse) {
        Optional<String> reason = Kvm.unavailableReason();
        if (reason.isPresent()) {
            return new KvmBackend(null, reason.get(), runTimeout, payload, reuse);
        }
        return new KvmBackend(Kvm.open(), null, runTimeout, payload, reuse);
    }

    /** True in VM-reuse mode ({@link #openReusing()}). */
    public boolean reusesVm() {
        return reuse;
    }

    /** Installs (or, with null, removes) the benchmark's per-phase timing hook. Off by default. */
    public void setPhaseTimer(PhaseTimer timer) {
        this.timer = timer;
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
        Optional<String> missing = missingCapability(c, capabilities);
        if (missing.isEmpty()) {
            missing = presentCpuidFeature(c, cpuid);
        }
        if (missing.isPresent() || !c.usesForcedEmulation()) {
            return missing;
        }
        return noForcedEmulation;
    }

    /**
     * Why the case cannot run with the CPUID KVM supports: a feature the case needs the vCPU to lack
     * is there (with it, KVM supports the MSRs the case expects it not to).
     */
    static Optional<String> presentCpuidFeature(Case c, CpuidEntries supported) {
        for (CpuidFeature f : c.vcpu().cpuidLacks()) {
            boolean present = supported.entry(f.function, 0).map(e -> {
                int reg = switch (f.register) {
                    case EAX -> e.eax();
                    case EBX -> e.ebx();
                    case ECX -> e.ecx();
                    case EDX -> e.edx();
                };
                return (reg >>> f.bit & 1) != 0;
            }).orElse(false);
            if (present) {
                return Optional.of("needs a vCPU without " + f.describe() + ", but KVM_GET_SUPPORTED_CPUID reports it on this"
                        + " host (the vCPU gets exactly that CPUID)");
            }
        }
        return Optional.empty();
    }

    /**
     * Why KVM does not honour its forced-emulation prefix, from the kvm module parameter
     * force_emulation_prefix ({@code parameter}): missing, 0 (an int since 6.1, a bool "N" before), or
     * unreadable. Empty when it is set (1, or "Y"; newer kernels also take 3, which adds clearing RF).
     */
    static Optional<String> forcedEmulationUnavailable(Path parameter) {
        String value;
        try {
            value = Files.readString(parameter).trim();
        } catch (NoSuchFileException e) {
            return Optional.of(forcedEmulationReason(parameter, "is missing"));
        } catch (IOException e) {
            return Optional.of(forcedEmulationReason(parameter, "cannot be read (" + e.getMessage() + ")"));
        }
        boolean on = value.equals("Y") || value.equals("y") || value.matches("[0-9]+") && !value.matches("0+");
        return on ? Optional.empty() : Optional.of(forcedEmulationReason(parameter, "is " + value));
    }

    private static String forcedEmulationReason(Path parameter, String state) {
        return "needs KVM's forced-emulation prefix: " + parameter + " " + state + " on this kernel"
                + " (msrconf's kernel matrix loads kvm with force_emulation_prefix=1)";
    }

    /** The KVM_CHECK_EXTENSION answers the cases depend on, asked once per backend. */
    record Capabilities(boolean irqchip, boolean msrFilter, boolean userSpaceMsr) {
        static Capabilities of(IntUnaryOperator checkExtension) {
            return new Capabilities(checkExtension.applyAsInt(KVM_CAP_IRQCHIP) != 0,
                    checkExtension.applyAsInt(KVM_CAP_X86_MSR_FILTER) != 0,
                    checkExtension.applyAsInt(KVM_CAP_X86_USER_SPACE_MSR) != 0);
        }
    }

    /** Why this KVM cannot run the case, from what the case uses; empty when it can. */
    static Optional<String> missingCapability(Case c, Capabilities caps) {
        if (!caps.irqchip()) {
            return Optional.of("KVM lacks KVM_CAP_IRQCHIP (the in-kernel local APIC every case runs with)");
        }
        if (c.usesFilter() && !caps.msrFilter()) {
            return Optional.of("KVM lacks KVM_CAP_X86_MSR_FILTER");
        }
        if (!c.vcpu().userspaceExits().isEmpty() && !caps.userSpaceMsr()) {
            return Optional.of("KVM lacks KVM_CAP_X86_USER_SPACE_MSR");
        }
        return Optional.empty();
    }

    @Override
    public Observation run(Case c) {
        if (reuse) {
            return runReused(c);
        }
        PhaseTimer t = timer;
        long mark = t == null ? 0 : System.nanoTime();
        List<StepOutcome> outcomes = new ArrayList<>(c.steps().size());
        Vm vm = kvm.createVm();
        try {
            vm.createIrqchip();
            GuestMemory memory = vm.mapMemory(GuestLayout.MEMORY_SIZE);
            memory.write(GuestLayout.SYSTEM_TABLES_START, systemTables);
            memory.write(GuestLayout.PAYLOAD_BASE, payloadImage);
            if (!c.vcpu().userspaceExits().isEmpty()) {
                vm.enableCap(KVM_CAP_X86_USER_SPACE_MSR, c.vcpu().exitReasonMask());
            }
            Vcpu vcpu = vm.createVcpu(0);
            vcpu.setCpuid(cpuid);
            if (c.vcpu().x2apic()) {
                setApicBase(vcpu, APIC_BASE_X2APIC, "x2APIC mode");
            }
            if (t != null) {
                mark = lap(t, Phase.VM_SETUP, mark);
            }
            runSteps(c, vm, vcpu, memory, outcomes, t);
        } finally {
            if (t != null) {
                mark = System.nanoTime();
            }
            vm.close();
            if (t != null) {
                lap(t, Phase.TEARDOWN, mark);
            }
        }
        return new Observation(NAME, outcomes);
    }

    private Observation runReused(Case c) {
        PhaseTimer t = timer;
        long mark = t == null ? 0 : System.nanoTime();
        if (reused == null) {
            reused = ReusedVm.create(kvm, cpuid, systemTables, payloadImage);
        }
        ReusedVm r = reused;
        List<StepOutcome> outcomes = new ArrayList<>(c.steps().size());
        boolean clean = false;
        try {
            r.prepare(c);
            if (t != null) {
                lap(t, Phase.VM_SETUP, mark);
            }
            clean = runSteps(c, r.vm(), r.vcpu(), r.memory(), outcomes, t);
            if (c.usesFilter()) {
                r.filterChanged();
            }
        } finally {
            if (!clean) {
                // a run that did not end with the guest's report may leave KVM mid-instruction (a pending
                // MSR exit completion, a kicked run): no reset can be trusted after that, start over
                reused = null;
                r.close();
            }
        }
        return new Observation(NAME, outcomes);
    }

    /** Runs the steps; true when every guest run ended with the guest's own report (the vCPU is at rest). */
    private boolean runSteps(Case c, Vm vm, Vcpu vcpu, GuestMemory memory, List<StepOutcome> outcomes, PhaseTimer t) {
        boolean clean = true;
        for (Step step : c.steps()) {
            long mark = t == null ? 0 : System.nanoTime();
            StepOutcome outcome = runStep(step, vm, vcpu, memory);
            outcomes.add(outcome);
            if (outcome instanceof StepOutcome.GuestRan ran
                    && !(ran.end() instanceof RunEnd.Reported || ran.end() instanceof RunEnd.UnexpectedException)) {
                clean = false;
            }
            if (t != null) {
                lap(t, step instanceof Step.SetFilter ? Phase.FILTER : Phase.RUN, mark);
            }
        }
        return clean;
    }

    private static long lap(PhaseTimer t, Phase phase, long since) {
        long now = System.nanoTime();
        t.record(phase, now - since);
        return now;
    }

    static void setApicBase(Vcpu vcpu, long value, String what) {
        int set = vcpu.setMsrs(new int[] {MSR_IA32_APIC_BASE}, new long[] {value});
        if (set != 1) {
            throw new KvmException("KVM_SET_MSRS(IA32_APIC_BASE = " + what + ")", set < 0 ? -set : 0);
        }
    }

    private StepOutcome runStep(Step step, Vm vm, Vcpu vcpu, GuestMemory memory) {
        if (step instanceof Step.SetFilter s) {
            int errno = vm.setMsrFilter(s.filter());
            if (reused != null) {
                reused.filterStepDone(errno);
            }
            return new StepOutcome.FilterSet(errno);
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
        if (reused != null) {
            reused.scriptTableUsed(script.tableSize());
        }
        resetCpu(vcpu);
        RunEnd end = runLoop(script, vcpu, memory);
        return script.finish(memory.read(GuestLayout.SCRIPT_TABLE, script.tableSize()), end, payload);
    }

    /** Every run starts from the layout's start state, whatever the previous run left behind. */
    private void resetCpu(Vcpu vcpu) {
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
        vcpu.setRegs(startRegs);
    }

    private static SpecialRegisters.Segment segment(GuestLayout.Segment s) {
        return new SpecialRegisters.Segment(s.base(), s.limit(), s.selector(), s.type(), s.present() ? 1 : 0, s.dpl(),
                s.db() ? 1 : 0, s.s() ? 1 : 0, s.l() ? 1 : 0, s.g() ? 1 : 0, 0, 0);
    }

    private RunEnd runLoop(ScriptRun script, Vcpu vcpu, GuestMemory memory) {
        KvmRun run = vcpu.runState();
        long deadline = System.nanoTime() + runTimeoutNanos;
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
            if (reason == KvmExit.KVM_EXIT_IO) {
                boolean out = run.ioDirection() == KvmExit.KVM_EXIT_IO_OUT;
                Optional<RunEnd> end = GuestReport.of(run.ioPort(), out, run.ioSize(), run.ioCount(), run.ioDataU32());
                if (end.isPresent()) {
                    return end.get();
                }
                return crashed(vcpu, GuestReport.describeStray(run.ioPort(), out, run.ioSize(), run.ioCount(), run.ioDataU32()));
            }
            if (reason == KvmExit.KVM_EXIT_X86_RDMSR || reason == KvmExit.KVM_EXIT_X86_WRMSR) {
                MsrOp op = reason == KvmExit.KVM_EXIT_X86_RDMSR ? MsrOp.RDMSR : MsrOp.WRMSR;
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
        if (reused != null) {
            ReusedVm r = reused;
            reused = null;
            r.close();
        }
        if (kvm != null) {
            kvm.close();
        }
    }

    /**
     * The one VM of the reuse mode, and what it takes to make it look fresh again before a case. What a
     * case can change, and how it is put back:
     * <ul>
     *   <li>the MSR filter: replaced by "default allow, no ranges" after a case that set one (when the next
     *       case starts by setting a filter, only if KVM refuses that one). KVM then
     *       keeps a filter object where a fresh VM has none, but api.rst defines that filter as "filtering
     *       disabled" and kvm_msr_allowed() allows every access under it, as without a filter;</li>
     *   <li>KVM_CAP_X86_USER_SPACE_MSR: enabled with the case's mask, or with 0 when the case wants no
     *       exits (KVM accepts 0: it is within KVM_MSR_EXIT_REASON_VALID_MASK, and 0 is the mask of a VM
     *       that never enabled the capability);</li>
     *   <li>the special registers (control registers, EFER, CR2, CR8, segments, APIC base) and the
     *       general registers: KVM_SET_SREGS with the fresh vCPU's values, and every run starts from the
     *       layout's start state anyway;</li>
     *   <li>IA32_APIC_BASE and the local APIC: back to xAPIC mode (a host-initiated write may leave x2APIC
     *       mode), then KVM_SET_LAPIC with the register page of the fresh vCPU (TPR, LDR, timer, ...),
     *       then x2APIC mode when the case asks for it, as on a fresh VM;</li>
     *   <li>MSRs: SYSENTER_CS/ESP/EIP, STAR/LSTAR/CSTAR/SFMASK, TSC_ADJUST and every MSR the case writes
     *       (WRMSR accesses, host-set-msrs) that KVM lists in KVM_GET_MSR_INDEX_LIST, to the fresh vCPU's
     *       values. IA32_TSC is not restored: it counts time on a fresh VM too;</li>
     *   <li>guest memory: the system tables and the payload are rewritten, the part of the script table
     *       and of the stack a run may have written is zeroed.</li>
     * </ul>
     * A case whose run did not end with the guest's report (timeout, crash) discards the VM.
     */
    private static final class ReusedVm implements AutoCloseable {

        private static final int MSR_IA32_TSC = 0x10;
        private static final int MSR_EFER = 0xc0000080;
        private static final int[] ALWAYS_RESET = {0x3b, 0x174, 0x175, 0x176, 0xc0000081, 0xc0000082, 0xc0000083, 0xc0000084};
        /** The payload's stack use is a few hundred bytes (calls and exception frames); scrub well beyond. */
        private static final long STACK_SCRUB = 0x2000;

        private final Vm vm;
        private final Vcpu vcpu;
        private final GuestMemory memory;
        private final byte[] systemTables;
        private final byte[] payloadImage;
        private final SpecialRegisters freshSregs;
        private final byte[] freshLapic;
        private final long freshApicBase;
        /** The fresh vCPU's value of every MSR KVM lists (except TSC, EFER, APIC base, x2APIC). */
        private final Map<Integer, Long> freshMsrs;
        private int exitMask;
        private boolean filterChanged;
        private boolean filterResetDeferred;
        private int scriptBytesUsed;

        private ReusedVm(Vm vm, Vcpu vcpu, GuestMemory memory, byte[] systemTables, byte[] payloadImage,
                         Map<Integer, Long> freshMsrs, long freshApicBase) {
            this.vm = vm;
            this.vcpu = vcpu;
            this.memory = memory;
            this.systemTables = systemTables;
            this.payloadImage = payloadImage;
            this.freshSregs = vcpu.getSregs();
            this.freshLapic = vcpu.getLapic();
            this.freshMsrs = freshMsrs;
            this.freshApicBase = freshApicBase;
        }

        static ReusedVm create(Kvm kvm, CpuidEntries cpuid, byte[] systemTables, byte[] payloadImage) {
            Vm vm = kvm.createVm();
            try {
                vm.createIrqchip();
                GuestMemory memory = vm.mapMemory(GuestLayout.MEMORY_SIZE);
                Vcpu vcpu = vm.createVcpu(0);
                vcpu.setCpuid(cpuid);
                long[] apicBase = new long[1];
                if (vcpu.getMsrs(new int[] {MSR_IA32_APIC_BASE}, apicBase) != 1) {
                    throw new KvmException("KVM_GET_MSRS(IA32_APIC_BASE)", 0);
                }
                return new ReusedVm(vm, vcpu, memory, systemTables, payloadImage, snapshotMsrs(kvm, vcpu), apicBase[0]);
            } catch (RuntimeException | Error e) {
                vm.close();
                throw e;
            }
        }

        /** KVM_GET_MSRS stops at the first MSR it refuses: read on past each refusal. */
        private static Map<Integer, Long> snapshotMsrs(Kvm kvm, Vcpu vcpu) {
            int[] all = Arrays.stream(kvm.msrIndexList())
                    .filter(i -> i != MSR_IA32_TSC && i != MSR_EFER && i != MSR_IA32_APIC_BASE && (i < 0x800 || i > 0x8ff))
                    .toArray();
            Map<Integer, Long> values = new HashMap<>();
            long[] got = new long[all.length];
            for (int from = 0; from < all.length; ) {
                int[] rest = Arrays.copyOfRange(all, from, all.length);
                int n = vcpu.getMsrs(rest, got);
                for (int i = 0; i < Math.max(n, 0); i++) {
                    values.put(rest[i], got[i]);
                }
                from += Math.max(n, 0) + 1;   // skip the refused one
            }
            return values;
        }

        Vm vm() {
            return vm;
        }

        Vcpu vcpu() {
            return vcpu;
        }

        GuestMemory memory() {
            return memory;
        }

        void filterChanged() {
            filterChanged = true;
        }

        /** After the case's first filter step: a refused filter left the previous case's in force, so reset now. */
        void filterStepDone(int errno) {
            if (filterResetDeferred) {
                filterResetDeferred = false;
                if (errno != 0) {
                    resetFilter();
                }
            }
        }

        private void resetFilter() {
            int rc = vm.setMsrFilter(MsrFilter.allowAll());
            if (rc != 0) {
                throw new KvmException("KVM_X86_SET_MSR_FILTER(default allow, no ranges)", rc);
            }
        }

        void scriptTableUsed(int bytes) {
            scriptBytesUsed = Math.max(scriptBytesUsed, bytes);
        }

        /** Puts back everything the previous case may have changed, then applies the case's vCPU setup. */
        void prepare(Case c) {
            if (filterChanged) {
                filterChanged = false;
                // Each KVM_X86_SET_MSR_FILTER waits for an SRCU grace period, and a second one right after
                // the first is the slow kind: when the case starts by setting its own filter, that filter
                // replaces the old one, and only if KVM refuses it (leaving the old one in force) is the
                // reset done, then. Either way the case sees what a fresh VM shows: its filter, or none.
                if (!c.steps().isEmpty() && c.steps().get(0) instanceof Step.SetFilter) {
                    filterResetDeferred = true;
                } else {
                    resetFilter();
                }
            }
            int mask = c.vcpu().userspaceExits().isEmpty() ? 0 : c.vcpu().exitReasonMask();
            if (mask != exitMask) {
                vm.enableCap(KVM_CAP_X86_USER_SPACE_MSR, mask);
                exitMask = mask;
            }
            vcpu.setSregs(freshSregs);
            resetMsrs(c);
            vcpu.setLapic(freshLapic);
            if (c.vcpu().x2apic()) {
                setApicBase(vcpu, APIC_BASE_X2APIC, "x2APIC mode");
            }
            memory.write(GuestLayout.SYSTEM_TABLES_START, systemTables);
            memory.write(GuestLayout.PAYLOAD_BASE, payloadImage);
            if (scriptBytesUsed > 0) {
                memory.pointer().setMemory(GuestLayout.SCRIPT_TABLE, scriptBytesUsed, (byte) 0);
                scriptBytesUsed = 0;
            }
            memory.pointer().setMemory(GuestLayout.STACK_TOP - STACK_SCRUB, STACK_SCRUB, (byte) 0);
        }

        /** IA32_APIC_BASE first (xAPIC, as fresh), then the MSRs that are always reset and those the case writes. */
        private void resetMsrs(Case c) {
            Set<Integer> indexes = new LinkedHashSet<>();
            for (int i : ALWAYS_RESET) {
                indexes.add(i);
            }
            for (Step step : c.steps()) {
                if (step instanceof Step.RunGuest r) {
                    r.accesses().stream().filter(a -> a.op() == MsrOp.WRMSR).forEach(a -> indexes.add(a.index()));
                } else if (step instanceof Step.HostSetMsrs h) {
                    h.msrs().forEach(m -> indexes.add(m.index()));
                }
            }
            indexes.retainAll(freshMsrs.keySet());
            int[] idx = new int[indexes.size() + 1];
            long[] values = new long[idx.length];
            idx[0] = MSR_IA32_APIC_BASE;
            values[0] = freshApicBase;
            int k = 1;
            for (int i : indexes) {
                idx[k] = i;
                values[k++] = freshMsrs.get(i);
            }
            int set = vcpu.setMsrs(idx, values);
            if (set != idx.length) {
                throw new KvmException(String.format("KVM_SET_MSRS(reset to the fresh vCPU's values; refused MSR 0x%x)",
                        idx[Math.max(0, Math.min(set, idx.length - 1))]), set < 0 ? -set : 0);
            }
        }

        @Override
        public void close() {
            vm.close();
        }
    }
}
