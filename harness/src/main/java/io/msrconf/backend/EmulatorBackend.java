package io.msrconf.backend;

import io.msrconf.abi.Msr;
import io.msrconf.emu.cpu.Cpu;
import io.msrconf.emu.cpu.GuestRam;
import io.msrconf.emu.model.KvmModel;
import io.msrconf.emu.model.ModelLimitation;
import io.msrconf.emu.model.ModelProfile;
import io.msrconf.emu.model.Mutation;
import io.msrconf.filter.MsrFilter;
import io.msrconf.guest.GuestLayout;
import io.msrconf.guest.MsrScriptTable;
import io.msrconf.guest.Payload;
import io.msrconf.kvm.KvmResult;
import io.msrconf.spec.Case;
import io.msrconf.spec.Requirements;
import io.msrconf.vcpu.GuestMemory;
import io.msrconf.vcpu.VcpuExit;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Runs cases on the bundled reference: the same payload bytes, from the same start state, on the pure
 * Java x86-64 interpreter ({@code emu.cpu}), with KVM's MSR behaviour from the model ({@code emu.model}).
 * It needs no KVM, so the suite runs everywhere, and it is what real KVM is compared against. The steps
 * and the run loop are the ones every backend uses ({@link CaseExecutor}, {@link GuestRun}).
 */
public final class EmulatorBackend implements Backend {

    public static final String NAME = "emulator";
    /** Instructions per interpreter call between deadline checks. */
    private static final long SLICE = 1_000_000;

    private final Payload payload;
    private final Set<Mutation> mutations;
    private final ModelProfile profile;
    private final UnaryOperator<GuestVcpu> vcpuDecorator;
    private final EngineBackend engine;
    /** The last case dry-run by {@link #cannotRun}, so that {@link #run} does not execute it twice. */
    private Case checked;
    private Observation checkedObservation;

    private EmulatorBackend(Payload payload, Set<Mutation> mutations, ModelProfile profile, Duration runTimeout,
                            UnaryOperator<GuestVcpu> vcpuDecorator) {
        this.payload = payload;
        this.mutations = Set.copyOf(mutations);
        this.profile = profile;
        this.vcpuDecorator = vcpuDecorator;
        this.engine = new EngineBackend(NAME, c -> Optional.empty(), new Vms(), new CaseExecutor(new GuestRun(payload, runTimeout)));
    }

    /** The model of generic x86 KVM ({@link ModelProfile#GENERIC}). */
    public static EmulatorBackend create() {
        return create(ModelProfile.LATEST);
    }

    /** The model of a KVM with this vendor profile: what the differential compares a real KVM with. */
    public static EmulatorBackend create(ModelProfile profile) {
        return new EmulatorBackend(Payload.load(Payload.MSR_SCRIPT), Set.of(), profile, Duration.ofSeconds(5), UnaryOperator.identity());
    }

    /** The model built with deliberate bugs: for the mutation check. */
    public static EmulatorBackend withMutations(Set<Mutation> mutations) {
        return new EmulatorBackend(Payload.load(Payload.MSR_SCRIPT), mutations, ModelProfile.LATEST, Duration.ofSeconds(5), UnaryOperator.identity());
    }

    /** With another payload: for the self-tests that the KVM backend runs too. */
    public static EmulatorBackend withPayload(Payload payload, Duration runTimeout) {
        return new EmulatorBackend(payload, Set.of(), ModelProfile.LATEST, runTimeout, UnaryOperator.identity());
    }

    /** With each vCPU wrapped, e.g. by the benchmark to count the interpreter's instructions and time. */
    public static EmulatorBackend withVcpuDecorator(UnaryOperator<GuestVcpu> decorator) {
        return new EmulatorBackend(Payload.load(Payload.MSR_SCRIPT), Set.of(), ModelProfile.LATEST, Duration.ofSeconds(5), decorator);
    }

    @Override
    public String name() {
        return NAME;
    }

    public ModelProfile profile() {
        return profile;
    }

    /**
     * The model never guesses: the case is executed here, and if it reaches an MSR or register the
     * model does not emulate, the case is skipped with that reason instead of passing by accident.
     */
    @Override
    public Optional<String> cannotRun(Case c) {
        try {
            checkedObservation = engine.run(c);
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
        return engine.run(c);
    }

    @Override
    public void close() {
        engine.close();
    }

    /** The interpreter's vCPU: instructions run in slices, so that the run loop sees its deadline. */
    public interface InterpreterVcpu extends GuestVcpu {
        /** Instructions executed since the vCPU was last reset to the start state. */
        long instructionCount();
    }

    /** A fresh model and RAM per case: the emulator has nothing worth reusing. */
    private final class Vms implements CaseVmSource {

        private final byte[] systemTables = GuestLayout.systemTables(payload);
        private final byte[] payloadImage = payload.image();

        @Override
        public CaseVm open(Case c) {
            GuestRam ram = new GuestRam(GuestLayout.MEMORY_SIZE);
            ram.write(GuestLayout.SYSTEM_TABLES_START, systemTables);
            ram.write(GuestLayout.PAYLOAD_BASE, payloadImage);
            // The VM and the MSR file of its vCPU 0; other vCPUs share its filter and exit mask (addVcpu).
            KvmModel model = new KvmModel(GuestLayout.EFER, mutations, profile);
            // The model is of a kvm module loaded with force_emulation_prefix=1, as msrconf loads it in the
            // kernels it boots: cases with forced-emulated accesses run here, and on KVM only where that is set.
            model.setForcedEmulationPrefix(true);
            for (Map.Entry<String, String> p : c.requires().setParams().entrySet()) {
                Optional<Boolean> on = Requirements.parameterBoolean(p.getValue());
                if (!p.getKey().equals("kvm.ignore_msrs") || on.isEmpty()) {
                    throw new ModelLimitation("the model knows kvm.ignore_msrs (Y or N) of the module parameters a case can set, not "
                            + p.getKey() + "=" + p.getValue());
                }
                model.setIgnoreMsrs(on.get());
            }
            if (!c.vcpu().userspaceExits().isEmpty() && model.enableUserSpaceMsr(c.vcpu().exitReasonMask()) != 0) {
                throw new IllegalStateException("the model refused KVM_CAP_X86_USER_SPACE_MSR mask " + c.vcpu().exitReasonMask());
            }
            Map<Integer, KvmModel> vcpuModels = new TreeMap<>();
            Map<Integer, GuestVcpu> vcpus = new TreeMap<>();
            CaseVm vm = new CaseVm() {
                @Override
                public KvmResult setMsrFilter(MsrFilter filter) {
                    return KvmResult.ofErrno(model.setMsrFilter(filter));
                }

                @Override
                public KvmResult enableUserSpaceMsr(int mask, int flags) {
                    return KvmResult.ofErrno(model.enableUserSpaceMsr(mask, flags));
                }

                @Override
                public int checkExtension(int cap) {
                    return model.checkExtension(cap);
                }

                @Override
                public KvmResult xenHvmConfig(int msr, int blobPages) {
                    return KvmResult.ofErrno(model.xenHvmConfig(msr, blobPages));
                }

                @Override
                public KvmResult createVcpu(int id) {
                    KvmModel m = id == 0 ? model : model.addVcpu(id);
                    m.created();
                    vcpuModels.put(id, m);
                    vcpus.put(id, vcpuDecorator.apply(new Vcpu(id, ram, m, GuestLayout.startState(payload, id))));
                    return KvmResult.ofValue(0);
                }

                @Override
                public KvmResult setCpuid(int id) {
                    // The model has no CPUID of its own (cases that need a CPUID bit absent are skipped on KVMs
                    // that have it); the APIC mode follows, as on KVM, BSP flag for vCPU 0 only.
                    long x2apic = id == 0 ? Msr.APIC_BASE_X2APIC_BSP : Msr.APIC_BASE_X2APIC_BSP & ~Msr.APIC_BASE_BSP;
                    if (c.vcpu().x2apic() && vcpuModels.get(id).hostSetMsrs(new int[] {Msr.MSR_IA32_APICBASE}, new long[] {x2apic}) != 1) {
                        throw new IllegalStateException("the model refused IA32_APIC_BASE = x2APIC mode");
                    }
                    return KvmResult.ofValue(0);
                }

                @Override
                public KvmResult hostSetMsrs(int vcpu, int[] indexes, long[] values) {
                    return KvmResult.ofValue(vcpuModels.get(vcpu).hostSetMsrs(indexes, values));
                }

                @Override
                public KvmResult hostGetMsrs(int vcpu, int[] indexes, long[] valuesOut) {
                    return KvmResult.ofValue(vcpuModels.get(vcpu).hostGetMsrs(indexes, valuesOut));
                }

                @Override
                public boolean hasVcpu(int id) {
                    return vcpus.containsKey(id);
                }

                @Override
                public GuestVcpu vcpu(int id) {
                    return vcpus.get(id);
                }
            };
            if (c.setupCreatesVcpu0()) {
                vm.createVcpu(0);
                vm.setCpuid(0);
            }
            return vm;
        }

        @Override
        public void release(CaseVm vm, boolean atRest) {
            // nothing to release: the emulator holds no native resources
        }

        @Override
        public void close() {
            // as above
        }
    }

    private final class Vcpu implements InterpreterVcpu {
        private final int id;
        private final GuestRam ram;
        private final KvmModel model;
        private final GuestLayout.StartState start;
        private Cpu cpu;

        /** Entry number -> why the model cannot know that access's outcome, since the guest started. */
        private final Map<Integer, String> unmodelled = new TreeMap<>();

        Vcpu(int id, GuestRam ram, KvmModel model, GuestLayout.StartState start) {
            this.id = id;
            this.ram = ram;
            // The access in progress is the entry the guest's finished-entries counter names.
            long table = GuestLayout.scriptTable(id);
            model.onCpuDecidedAccess(why -> unmodelled.putIfAbsent(ram.readU32(table + MsrScriptTable.HDR_COMPLETED), why));
            this.model = model;
            this.start = start;
        }

        @Override
        public int id() {
            return id;
        }

        @Override
        public Map<Integer, String> unmodelledEntries() {
            return Map.copyOf(unmodelled);
        }

        @Override
        public void resetToStart() {
            unmodelled.clear();
            cpu = Cpu.fromStartState(start);
            // as KVM_SET_SREGS does on the KVM backend: loading FS and GS loads their bases
            model.segmentBasesLoaded(start.data().base(), start.data().base());
            model.guestStarted();
        }

        @Override
        public VcpuExit run(long deadlineNanos) {
            if (System.nanoTime() - deadlineNanos >= 0) {
                return new VcpuExit.Interrupted();
            }
            return cpu.run(ram, model, SLICE);
        }

        @Override
        public void completeMsrExit(int error, long data) {
            long[] completion = model.completion(error, data);
            cpu.completeMsrExit((int) completion[0], completion[1]);
        }

        @Override
        public GuestMemory memory() {
            return ram;
        }

        @Override
        public String describeState() {
            return "RIP is at " + payload.symbolize(cpu.rip()) + "\n" + cpu.describe();
        }

        @Override
        public long instructionCount() {
            return cpu.instructionCount();
        }
    }
}
