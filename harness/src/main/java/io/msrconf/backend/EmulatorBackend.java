package io.msrconf.backend;

import io.msrconf.emu.cpu.Cpu;
import io.msrconf.emu.cpu.CpuExit;
import io.msrconf.emu.cpu.GuestRam;
import io.msrconf.emu.model.KvmModel;
import io.msrconf.emu.model.ModelLimitation;
import io.msrconf.emu.model.Mutation;
import io.msrconf.guest.GuestLayout;
import io.msrconf.guest.MsrScriptTable;
import io.msrconf.guest.Payload;
import io.msrconf.spec.Access;
import io.msrconf.spec.Case;
import io.msrconf.spec.MsrOp;
import io.msrconf.spec.Step;
import io.msrconf.spec.UserspaceAnswer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Runs cases on the bundled reference: the same payload bytes, from the same start state, on the pure
 * Java x86-64 interpreter ({@code emu.cpu}), with KVM's MSR behaviour from the model ({@code emu.model}).
 * It needs no /dev/kvm, so the suite runs everywhere, and it is what real KVM is compared against.
 */
public final class EmulatorBackend implements Backend {

    public static final String NAME = "emulator";
    /** Instructions per interpreter call between deadline checks. */
    private static final long SLICE = 1_000_000;
    private static final int MAX_EXITS_PER_RUN = 4 * MsrScriptTable.MAX_ENTRIES + 16;

    private final Payload payload;
    private final byte[] systemTables;
    private final Set<Mutation> mutations;
    private final Duration runTimeout;
    /** The last case dry-run by {@link #cannotRun}, so that {@link #run} does not execute it twice. */
    private Case checked;
    private Observation checkedObservation;

    private EmulatorBackend(Payload payload, Set<Mutation> mutations, Duration runTimeout) {
        this.payload = payload;
        this.systemTables = GuestLayout.systemTables(payload);
        this.mutations = Set.copyOf(mutations);
        this.runTimeout = runTimeout;
    }

    public static EmulatorBackend create() {
        return new EmulatorBackend(Payload.load(Payload.MSR_SCRIPT), Set.of(), Duration.ofSeconds(5));
    }

    /** The model built with deliberate bugs: for the mutation check. */
    public static EmulatorBackend withMutations(Set<Mutation> mutations) {
        return new EmulatorBackend(Payload.load(Payload.MSR_SCRIPT), mutations, Duration.ofSeconds(5));
    }

    /** With another payload: for the self-tests that KvmBackendRunEndTest also runs. */
    public static EmulatorBackend withPayload(Payload payload, Duration runTimeout) {
        return new EmulatorBackend(payload, Set.of(), runTimeout);
    }

    @Override
    public String name() {
        return NAME;
    }

    /**
     * The model never guesses: the case is executed here, and if it reaches an MSR or register the
     * model does not emulate, the case is skipped with that reason instead of passing by accident.
     */
    @Override
    public Optional<String> cannotRun(Case c) {
        try {
            checkedObservation = execute(c);
            checked = c;
            return Optional.empty();
        } catch (ModelLimitation e) {
            checked = null;
            return Optional.of("the reference model knowingly differs from KVM here: " + e.getMessage());
        }
    }

    @Override
    public Observation run(Case c) {
        if (c == checked) {
            checked = null;
            return checkedObservation;
        }
        return execute(c);
    }

    private Observation execute(Case c) {
        GuestRam ram = new GuestRam(GuestLayout.MEMORY_SIZE);
        ram.write(GuestLayout.SYSTEM_TABLES_START, systemTables);
        ram.write(GuestLayout.PAYLOAD_BASE, payload.image());
        GuestLayout.StartState start = GuestLayout.startState(payload);
        KvmModel model = new KvmModel(start.efer(), mutations);
        // The model is of a kvm module loaded with force_emulation_prefix=1, as msrconf's kernel matrix loads
        // it: cases with forced-emulated accesses run here, and on KVM only where that parameter is set.
        model.setForcedEmulationPrefix(true);
        if (!c.vcpu().userspaceExits().isEmpty() && model.enableUserSpaceMsr(c.vcpu().exitReasonMask()) != 0) {
            throw new IllegalStateException("the model refused KVM_CAP_X86_USER_SPACE_MSR mask " + c.vcpu().exitReasonMask());
        }
        if (c.vcpu().x2apic()
                && model.hostSetMsrs(new int[] {KvmBackend.MSR_IA32_APIC_BASE}, new long[] {KvmBackend.APIC_BASE_X2APIC}) != 1) {
            throw new IllegalStateException("the model refused IA32_APIC_BASE = x2APIC mode");
        }
        List<StepOutcome> outcomes = new ArrayList<>();
        for (Step step : c.steps()) {
            outcomes.add(runStep(step, model, ram, start));
        }
        return new Observation(NAME, outcomes);
    }

    private StepOutcome runStep(Step step, KvmModel model, GuestRam ram, GuestLayout.StartState start) {
        if (step instanceof Step.SetFilter s) {
            return new StepOutcome.FilterSet(model.setMsrFilter(s.filter()));
        }
        if (step instanceof Step.RunGuest r) {
            return runGuest(r.accesses(), model, ram, start);
        }
        if (step instanceof Step.HostSetMsrs h) {
            return new StepOutcome.HostMsrsSet(model.hostSetMsrs(h.msrs().stream().mapToInt(Step.MsrValue::index).toArray(),
                    h.msrs().stream().mapToLong(Step.MsrValue::value).toArray()));
        }
        Step.HostGetMsrs h = (Step.HostGetMsrs) step;
        long[] values = new long[h.msrs().size()];
        int result = model.hostGetMsrs(h.msrs().stream().mapToInt(Step.MsrRead::index).toArray(), values);
        List<Long> got = new ArrayList<>();
        for (int i = 0; i < result; i++) {
            got.add(values[i]);
        }
        return new StepOutcome.HostMsrsGot(result, got);
    }

    private StepOutcome.GuestRan runGuest(List<Access> accesses, KvmModel model, GuestRam ram, GuestLayout.StartState start) {
        ScriptRun script = new ScriptRun(accesses);
        ram.write(GuestLayout.SCRIPT_TABLE, script.table());
        Cpu cpu = Cpu.fromStartState(start);   // every run starts from the layout's start state, as on KVM
        RunEnd end = runLoop(script, cpu, model, ram);
        return script.finish(ram.read(GuestLayout.SCRIPT_TABLE, script.tableSize()), end, payload);
    }

    private RunEnd runLoop(ScriptRun script, Cpu cpu, KvmModel model, GuestRam ram) {
        long deadline = System.nanoTime() + runTimeout.toNanos();
        int exits = 0;
        while (exits < MAX_EXITS_PER_RUN) {
            CpuExit exit = cpu.run(ram, model, SLICE);
            if (exit instanceof CpuExit.BudgetExhausted) {
                if (System.nanoTime() - deadline >= 0) {
                    return new RunEnd.TimedOut(runTimeout.toMillis(), exits);
                }
                continue;
            }
            exits++;
            if (exit instanceof CpuExit.PortOut out) {
                Optional<RunEnd> end = GuestReport.of(out.port(), true, out.size(), 1, out.value());
                return end.orElseGet(() -> crashed(cpu, GuestReport.describeStray(out.port(), true, out.size(), 1, out.value())));
            }
            if (exit instanceof CpuExit.MsrExit m) {
                MsrExit seen = new MsrExit(m.write() ? MsrOp.WRMSR : MsrOp.RDMSR, m.reason(), m.index(), m.data());
                long completed = Integer.toUnsignedLong(ram.readU32(GuestLayout.SCRIPT_TABLE + MsrScriptTable.HDR_COMPLETED));
                Optional<UserspaceAnswer> answer = script.onMsrExit(completed, seen);
                if (answer.isEmpty()) {
                    return crashed(cpu, script.describeStrayExit(completed, seen));
                }
                long[] completion = model.completion(answer.get().error(), answer.get().data());
                cpu.completeMsrExit((int) completion[0], completion[1]);
                continue;
            }
            return crashed(cpu, describe(exit));
        }
        return crashed(cpu, "the guest exceeded the exit budget of " + MAX_EXITS_PER_RUN + " exits in one run");
    }

    private String describe(CpuExit exit) {
        if (exit instanceof CpuExit.Shutdown s) {
            return "unexpected exit KVM_EXIT_SHUTDOWN (the emulated CPU shut down: " + s.why() + ")";
        }
        if (exit instanceof CpuExit.Unimplemented u) {
            return String.format("the emulator does not implement '%s' at RIP 0x%x (%s), bytes %s", u.mnemonic(), u.rip(),
                    payload.symbolize(u.rip()), HexFormat.ofDelimiter(" ").formatHex(u.bytes()));
        }
        return "unexpected exit " + exit;
    }

    private RunEnd crashed(Cpu cpu, String what) {
        return new RunEnd.Crashed(what, "RIP is at " + payload.symbolize(cpu.rip()) + "\n" + cpu.describe());
    }

    @Override
    public void close() {
        // Nothing to release: the emulator holds no native resources.
    }
}
