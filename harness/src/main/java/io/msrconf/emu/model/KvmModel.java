package io.msrconf.emu.model;

import io.msrconf.emu.cpu.MsrPort;
import io.msrconf.emu.cpu.MsrResult;
import io.msrconf.filter.MsrFilter;
import io.msrconf.abi.ExitReason;
import java.util.EnumSet;
import java.util.Set;

/**
 * The reference model of one vCPU of a VM, as the guest and userspace see KVM's MSR handling: the
 * VM's filter and userspace MSR exits, shared with its other vCPUs ({@link #addVcpu}), and the vCPU's
 * own MSR file and local APIC. It mirrors the kernel's
 * guest path (kvm_emulate_rdmsr/wrmsr -> kvm_emulate_msr_read/write -> kvm_msr_user_space) and host
 * path (KVM_GET_MSRS/KVM_SET_MSRS -> do_get_msr/do_set_msr, never filtered).
 */
public final class KvmModel implements MsrPort {

    /** What a VM's vCPUs share: kvm->arch's filter and exit mask, and the kvm module's parameters. */
    private static final class Vm {
        final FilterModel filter;
        /** kvm->arch.user_space_msr_mask (KVM_ENABLE_CAP(KVM_CAP_X86_USER_SPACE_MSR) args[0]). */
        int userSpaceMsrMask;
        /** The kvm module parameter force_emulation_prefix (0 unless the kernel command line sets it). */
        boolean forcedEmulationPrefix;
        /** The kvm module parameter ignore_msrs (a case's set-param): unknown MSRs read 0 and take writes. */
        boolean ignoreMsrs;
        /** How many filters were installed: which one a vCPU was created under (for a mutant). */
        int filterGeneration;
        /** kvm->arch.xen_hvm_config.msr (0: none) and its blobs' size in pages; the blobs are never readable. */
        int xenHypercallMsr;
        int xenBlobPages;

        Vm(FilterModel filter) {
            this.filter = filter;
        }
    }

    private final Set<Mutation> mutations;
    private final ModelProfile profile;
    private final Vm vm;
    private final FilterModel filter;
    private final MsrFileModel msrs;
    private final long efer;
    /** Told about each guest access whose outcome the CPU decides, not KVM (per-access coverage); may be null. */
    private java.util.function.Consumer<String> cpuDecides;
    /** The filter and exit mask in force when the guest last started from its start state: what two mutants keep using. */
    private FilterModel.Installed filterAtGuestStart;
    private int maskAtGuestStart;
    /** The filter generation this vCPU was created under, and the exit mask it saw set: what two mutants keep using. */
    private int createdUnderFilter = -1;
    private int maskSetOnThisVcpu;
    public KvmModel(long efer, Set<Mutation> mutations) {
        this(efer, mutations, ModelProfile.LATEST);
    }

    /** A VM and its vCPU 0. */
    public KvmModel(long efer, Set<Mutation> mutations, ModelProfile profile) {
        this.mutations = mutations.isEmpty() ? Set.of() : EnumSet.copyOf(mutations);
        this.profile = profile;
        this.vm = new Vm(new FilterModel(this.mutations, profile));
        this.filter = vm.filter;
        this.efer = efer;
        this.msrs = new MsrFileModel(new LapicModel(0, this.mutations, profile), efer, profile, this.mutations);
    }

    private KvmModel(KvmModel sibling, int vcpuId) {
        this.mutations = sibling.mutations;
        this.profile = sibling.profile;
        this.vm = sibling.vm;
        this.filter = vm.filter;
        this.efer = sibling.efer;
        this.msrs = new MsrFileModel(new LapicModel(vcpuId, mutations, profile), efer, profile, mutations);
    }

    /** KVM_CREATE_VCPU({@code id}) on this vCPU's VM: its own MSRs and local APIC, the VM's filter and exit mask. */
    public KvmModel addVcpu(int id) {
        return new KvmModel(this, id);
    }

    /**
     * KVM_ENABLE_CAP(KVM_CAP_X86_USER_SPACE_MSR): 0, or EINVAL for bits outside the valid mask, and then the
     * mask in force stays: "r = -EINVAL; if (cap->args[0] & ~KVM_MSR_EXIT_REASON_VALID_MASK) break;
     * kvm->arch.user_space_msr_mask = cap->args[0]; r = 0;" (6.12; 6.1 and 5.10.223 spell the mask out).
     */
    public int enableUserSpaceMsr(int mask) {
        return enableUserSpaceMsr(mask, 0);
    }

    /** With struct kvm_enable_cap's flags: kvm_vm_ioctl_enable_cap() "if (cap->flags) return -EINVAL;" first (5.10, 6.1, 6.12). */
    public int enableUserSpaceMsr(int mask, int flags) {
        if (flags != 0) {
            return io.msrconf.abi.Errno.EINVAL;
        }
        if ((mask & ~(ExitReason.INVAL.bit | ExitReason.UNKNOWN.bit | ExitReason.FILTER.bit)) != 0
                && !mutations.contains(Mutation.EXIT_MASK_NOT_VALIDATED) && profile.exitMaskValidated()) {
            return io.msrconf.abi.Errno.EINVAL;
        }
        vm.userSpaceMsrMask = mask;
        maskSetOnThisVcpu = mask;
        return 0;
    }

    /**
     * KVM_CHECK_EXTENSION for the two capabilities of this API: kvm_vm_ioctl_check_extension() "case
     * KVM_CAP_X86_USER_SPACE_MSR: case KVM_CAP_X86_MSR_FILTER: ... r = 1; break;" (5.10.223, 6.1.176, 6.12.117);
     * the model knows no other capability.
     */
    public int checkExtension(int cap) {
        if (cap == io.msrconf.abi.KvmCap.KVM_CAP_X86_USER_SPACE_MSR || cap == io.msrconf.abi.KvmCap.KVM_CAP_X86_MSR_FILTER) {
            return mutations.contains(Mutation.CAPABILITY_VALUE_WRONG) ? 2 : 1;
        }
        throw new ModelLimitation("the model knows KVM_CHECK_EXTENSION only for KVM_CAP_X86_USER_SPACE_MSR and KVM_CAP_X86_MSR_FILTER");
    }

    /**
     * KVM_XEN_HVM_CONFIG with flags 0 and both blobs at an address KVM cannot read: 6.12 kvm_xen_hvm_config()
     * "if (xhc->flags & ~permitted_flags) return -EINVAL; ... memcpy(&kvm->arch.xen_hvm_config, xhc, sizeof(*xhc));",
     * 5.10 "if (xhc.flags) goto out; memcpy(...)": any MSR index is taken. (A kernel without CONFIG_KVM_XEN, such
     * as Debian's 6.1, has no such ioctl: the case is skipped there, KVM_CAP_XEN_HVM being 0.)
     */
    public int xenHvmConfig(int msr, int blobPages) {
        vm.xenHypercallMsr = msr;
        vm.xenBlobPages = blobPages;
        return 0;
    }

    /**
     * A write to Xen's hypercall-page MSR, or null for any other MSR: 6.12 kvm_set_msr_common() "if (msr && msr ==
     * vcpu->kvm->arch.xen_hvm_config.msr) return kvm_xen_write_hypercall_page(vcpu, data);" before any known MSR
     * (5.10 checks it in the default: branch, after them: the model does not know a Xen MSR that is also a known MSR).
     * In long mode with a blob: "if (page_num >= blob_size) return 1; ... page = memdup_user(...); if (IS_ERR(page))
     * return PTR_ERR(page);" -- the blob is never readable, so every page inside it fails with -EFAULT.
     */
    private Integer xenHypercallPageWrite(int index, long value) {
        if (vm.xenHypercallMsr == 0 || index != vm.xenHypercallMsr) {
            return null;
        }
        if (msrs.read(index).ret() != MsrFileModel.RET_UNSUPPORTED) {
            throw new ModelLimitation(String.format("Xen's hypercall-page MSR at 0x%x, an MSR KVM also knows: 5.10 and 6.12 order"
                    + " the two differently", index));
        }
        if ((efer & EFER_LMA) == 0) {
            throw new ModelLimitation("Xen's hypercall page outside long mode (the 32-bit blob)");
        }
        long page = value & 0xfff;
        return page >= vm.xenBlobPages ? 1 : -io.msrconf.abi.Errno.EFAULT;
    }

    /** KVM_X86_SET_MSR_FILTER. */
    public int setMsrFilter(MsrFilter f) {
        if (f == null) {
            // kvm_arch_vm_ioctl(): "if (copy_from_user(&filter, user_msr_filter, sizeof(filter))) return -EFAULT;" (5.10, 6.1, 6.12)
            return mutations.contains(Mutation.NULL_FILTER_ARGUMENT_REMOVES_THE_FILTER) ? removeFilter() : io.msrconf.abi.Errno.EFAULT;
        }
        int r = filter.set(f);
        if (r == 0) {
            vm.filterGeneration++;
        }
        return r;
    }

    /**
     * Who to tell when a guest access of this vCPU goes to the CPU with a result the model cannot know (a pass-through
     * MSR holding bits a CPU may drop, a non-canonical write): the model still completes it with its best guess, and
     * the emulator backend marks that access's expectations as unknown to the model.
     */
    public void onCpuDecidedAccess(java.util.function.Consumer<String> listener) {
        this.cpuDecides = listener;
    }

    private void cpuDecided(String why) {
        if (cpuDecides != null) {
            cpuDecides.accept(why);
        }
    }

    /** The mutant's reading of a NULL argument: as "no filter" (the filter in force is dropped), returning success. */
    private int removeFilter() {
        filter.set(MsrFilter.allowAll());
        vm.filterGeneration++;
        return 0;
    }

    /** KVM_CREATE_VCPU made this vCPU (the setup's vCPU 0, or a create-vcpu step's). */
    public void created() {
        createdUnderFilter = vm.filterGeneration;
    }

    /** KVM_GET_MSRS: the number of MSRs read before the first failure (msr_io stops there). */
    public int hostGetMsrs(int[] indexes, long[] valuesOut) {
        for (int i = 0; i < indexes.length; i++) {
            if (mutations.contains(Mutation.HOST_ACCESS_FILTERED) && !filter.allowed(indexes[i], FilterModel.TYPE_READ)) {
                return i;
            }
            MsrFileModel.Access a = msrs.read(indexes[i]);
            if (ignored(a.ret()) != 0) {
                return i;
            }
            valuesOut[i] = a.ret() == 0 ? a.value() : 0;
        }
        return indexes.length;
    }

    /** KVM_SET_MSRS: the number of MSRs written before the first failure. */
    public int hostSetMsrs(int[] indexes, long[] values) {
        for (int i = 0; i < indexes.length; i++) {
            if (vm.xenHypercallMsr != 0 && indexes[i] == vm.xenHypercallMsr) {
                throw new ModelLimitation("KVM_SET_MSRS of Xen's hypercall-page MSR (it writes the hypercall page)");
            }
            if (mutations.contains(Mutation.HOST_ACCESS_FILTERED) && !filter.allowed(indexes[i], FilterModel.TYPE_WRITE)) {
                return i;
            }
            if (ignored(msrs.write(indexes[i], values[i], true)) != 0) {
                return i;
            }
        }
        return indexes.length;
    }

    /** EFER.LMA: is_long_mode(), which picks Xen's 64-bit blob. */
    private static final long EFER_LMA = 1L << 10;

    /** Pass-through MSRs that hold addresses: a non-canonical write reaches the CPU. */
    private static final Set<Integer> ADDRESS_MSRS = Set.of(io.msrconf.abi.Msr.MSR_FS_BASE, io.msrconf.abi.Msr.MSR_GS_BASE,
            io.msrconf.abi.Msr.MSR_KERNEL_GS_BASE, io.msrconf.abi.Msr.MSR_LSTAR, io.msrconf.abi.Msr.MSR_CSTAR);

    @Override
    public MsrResult rdmsr(int index) {
        msrs.lapic().vmExit();   // RDMSR is intercepted: the guest exits before KVM emulates it
        if (msrs.cpuDecides(index) && profile.passesThroughToCpu(index) && guestAllowed(index, FilterModel.TYPE_READ)) {
            cpuDecided(String.format("RDMSR(0x%x) reads a pass-through MSR the guest wrote with bits above 31, which the CPU"
                    + " may not keep (kvm_amd: \"the processor only stores 32 bits\"; QEMU's TCG CPU keeps them)", index));
        }
        int r;
        long value = 0;
        if (filteredBeforeLookup(index, FilterModel.TYPE_READ)) {
            r = mutations.contains(Mutation.IGNORE_MSRS_MASKS_FILTERED) && vm.ignoreMsrs ? 0 : MsrFileModel.RET_FILTERED;
        } else {
            MsrFileModel.Access a = msrs.read(index);
            if (a.ret() == MsrFileModel.RET_UNSUPPORTED && MsrFileModel.isF15hPerfMsr(index) && profile.f15hPerfReadsComplete()) {
                a = MsrFileModel.Access.ok(0);
            }
            r = filteredAfterLookup(ignored(pre63PmuError(a.ret(), index)), index, FilterModel.TYPE_READ);
            value = a.ret() == 0 ? a.value() : 0;
        }
        return r == 0 ? new MsrResult.Done(value) : toUserspaceOrFault(r, 0);
    }

    /**
     * The pre-6.3 plain 1 for known-but-unsupported PMU MSRs, on the kernels that had it
     * ({@link ModelProfile#unsupportedPmuMsrFailsWithInvalid}) or as {@link Mutation#UNSUPPORTED_PMU_MSRS_INVALID}.
     */
    private int pre63PmuError(int r, int index) {
        if (r != MsrFileModel.RET_UNSUPPORTED || !MsrFileModel.isUnsupportedPmuMsr(index)) {
            return r;
        }
        return mutations.contains(Mutation.UNSUPPORTED_PMU_MSRS_INVALID) || profile.unsupportedPmuMsrFailsWithInvalid(index) ? 1 : r;
    }

    @Override
    public MsrResult wrmsr(int index, long value) {
        return wrmsr(index, value, false);
    }

    @Override
    public MsrResult emulatedWrmsr(int index, long value) {
        return wrmsr(index, value, true);
    }

    /** kvm_emulate_wrmsr(), or with {@code emulated} emulator_set_msr_with_filter() (5.10: emulator_set_msr()) and em_wrmsr(). */
    private MsrResult wrmsr(int index, long value, boolean emulated) {
        msrs.lapic().vmExit();
        if (ADDRESS_MSRS.contains(index) && MsrFileModel.canonical(value) != value && profile.passesThroughToCpu(index)
                && guestAllowed(index, FilterModel.TYPE_WRITE)) {
            cpuDecided(String.format("a non-canonical WRMSR(0x%x) reaches the CPU, which decides (a real CPU raises #GP,"
                    + " QEMU's TCG CPU may accept it)", index));
        }
        Integer xen = filteredBeforeLookup(index, FilterModel.TYPE_WRITE) ? null : xenHypercallPageWrite(index, value);
        int r = filteredBeforeLookup(index, FilterModel.TYPE_WRITE)
                ? (mutations.contains(Mutation.IGNORE_MSRS_MASKS_FILTERED) && vm.ignoreMsrs ? 0 : MsrFileModel.RET_FILTERED)
                : xen != null ? xen
                : filteredAfterLookup(ignored(pre63PmuError(msrs.write(index, value, false), index)), index, FilterModel.TYPE_WRITE);
        long exitData = mutations.contains(Mutation.WRMSR_EXIT_DATA_TRUNCATED) ? value & 0xffffffffL : value;
        if (r == 0) {
            return new MsrResult.Done(value);
        }
        if (emulated && r < 0) {
            return emulatedNegativeError(r, exitData);
        }
        return toUserspaceOrFault(r, exitData);
    }

    /**
     * A negative error under KVM's instruction emulator. 6.1.176 and 6.12.117 emulator_set_msr_with_filter(): "if (r < 0)
     * return X86EMUL_UNHANDLEABLE;" before any userspace exit. 5.10.223 emulator_set_msr(): "if (r &&
     * kvm_set_msr_user_space(vcpu, msr_index, data, r)) return X86EMUL_IO_NEEDED; return r;" (an INVAL exit, when
     * enabled), and em_wrmsr() turns the r < 0 left into X86EMUL_UNHANDLEABLE. Either way the emulation fails.
     */
    private MsrResult emulatedNegativeError(int r, long exitData) {
        if (mutations.contains(Mutation.EMULATED_NEGATIVE_WRMSR_ERROR_INJECTS_GP)) {
            return new MsrResult.Fault();
        }
        MsrResult asIntercepted = toUserspaceOrFault(r, exitData);
        if (asIntercepted instanceof MsrResult.ExitToUserspace && !profile.emulatorFailsNegativeErrorsBeforeExits()) {
            return asIntercepted;
        }
        return new MsrResult.EmulationFails();
    }

    /**
     * KVM_SET_SREGS loaded FS and GS: FS_BASE and GS_BASE are those segments' bases (svm_set_segment():
     * "s->base = var->base"; the MSRs read the same save area, svm_get_msr()).
     */
    public void segmentBasesLoaded(long fsBase, long gsBase) {
        msrs.segmentBasesLoaded(fsBase, gsBase);
    }

    /** The vCPU was put at the start state to run a guest afresh (a run step; not a continue step). */
    public void guestStarted() {
        filterAtGuestStart = filter.installed();
        maskAtGuestStart = vm.userSpaceMsrMask;
    }

    /** kvm_msr_allowed() for a guest access: the filter in force (unless a mutant missed a change of it). */
    private boolean guestAllowed(int index, int type) {
        if (mutations.contains(Mutation.FILTER_IGNORED_BY_A_VCPU_CREATED_UNDER_IT) && createdUnderFilter > 0
                && createdUnderFilter == vm.filterGeneration) {
            return true;
        }
        return mutations.contains(Mutation.FILTER_CHANGE_MISSED_BY_A_RUNNING_GUEST)
                ? filter.allowed(filterAtGuestStart, index, type) : filter.allowed(index, type);
    }

    /** Models kvm.ignore_msrs (writable at run time: "module_param(ignore_msrs, bool, 0644)"). */
    public void setIgnoreMsrs(boolean on) {
        vm.ignoreMsrs = on;
    }

    /**
     * kvm_do_msr_access() (6.12; 5.10 and 6.1: kvm_get/set_msr_ignored_check()), for guest and host accesses
     * alike, after the filter: "if (ret != KVM_MSR_RET_UNSUPPORTED) return ret; ... if (!ignore_msrs) { ...
     * return ret; } ... return 0;", a read's data zeroed ("*data = 0") -- so an unknown MSR neither faults nor
     * exits with reason UNKNOWN.
     */
    private int ignored(int r) {
        return r == MsrFileModel.RET_UNSUPPORTED && vm.ignoreMsrs ? 0 : r;
    }

    /** Models a kvm module loaded with force_emulation_prefix=1 ({@code on}) or without it. */
    public void setForcedEmulationPrefix(boolean on) {
        vm.forcedEmulationPrefix = on;
    }

    /** handle_ud(): "if (fep_flags && ... memcmp(sig, kvm_emulate_prefix, sizeof(sig)) == 0)". */
    @Override
    public boolean forcedEmulationPrefix() {
        return vm.forcedEmulationPrefix;
    }

    /**
     * The emulator's get_msr hook for side-effect reads (kvm_emulator_get_msr() -> __kvm_emulate_msr_read();
     * emulator_get_msr() -> kvm_get_msr() from 5.18 until the msrs.c split): no kvm_msr_allowed(), no
     * kvm_msr_user_space(). Only em_rdmsr()/em_wrmsr() use the *_with_filter hooks, which are the
     * guest path of {@link #rdmsr}/{@link #wrmsr}. Api.rst: "MSR accesses that are side effects of
     * instruction execution (emulated or native) are not filtered".
     */
    @Override
    public MsrResult emulatorImplicitRead(int index) {
        if ((mutations.contains(Mutation.SIDE_EFFECT_READS_FILTERED) || profile.sideEffectReadsFiltered())
                && !guestAllowed(index, FilterModel.TYPE_READ)) {
            // Before 5.18: __kvm_get_msr() returned KVM_MSR_RET_FILTERED for every guest read (exits off).
            return new MsrResult.Fault();
        }
        MsrFileModel.Access a = msrs.read(index);
        return a.ret() == 0 ? new MsrResult.Done(a.value()) : new MsrResult.Fault();
    }

    /** A native RDTSC: the hardware reads the TSC, KVM is not involved. */
    @Override
    public long tsc() {
        return msrs.tsc();
    }

    /**
     * What the vCPU does with userspace's answer on the next KVM_RUN (complete_userspace_rdmsr and
     * complete_fast_msr_access): returns the {error, data} the CPU completes the instruction with.
     */
    public long[] completion(int error, long data) {
        int e = mutations.contains(Mutation.USERSPACE_ERROR_IGNORED) ? 0 : error;
        long d = mutations.contains(Mutation.RDMSR_COMPLETION_TRUNCATED) ? data & 0xffffffffL : data;
        return new long[] {e, d};
    }

    /** kvm_emulate_msr_read/write(): "if (!kvm_msr_allowed(vcpu, index, type)) return KVM_MSR_RET_FILTERED;". */
    private boolean filteredBeforeLookup(int index, int type) {
        return !mutations.contains(Mutation.FILTER_CHECKED_AFTER_LOOKUP) && !guestAllowed(index, type);
    }

    private int filteredAfterLookup(int ret, int index, int type) {
        if (mutations.contains(Mutation.FILTER_CHECKED_AFTER_LOOKUP) && ret == 0 && !guestAllowed(index, type)) {
            return MsrFileModel.RET_FILTERED;
        }
        return ret;
    }

    /** kvm_msr_user_space(): exit if userspace asked for this reason, else the #GP path. */
    private MsrResult toUserspaceOrFault(int r, long data) {
        int reason = switch (r) {
            case MsrFileModel.RET_UNSUPPORTED -> ExitReason.UNKNOWN.bit;
            case MsrFileModel.RET_FILTERED -> mutations.contains(Mutation.FILTER_EXIT_REASON_WRONG)
                    ? ExitReason.UNKNOWN.bit : ExitReason.FILTER.bit;
            default -> ExitReason.INVAL.bit;
        };
        int mask = mutations.contains(Mutation.EXIT_MASK_LATCHED_AT_GUEST_START) ? maskAtGuestStart
                : mutations.contains(Mutation.EXIT_MASK_PER_VCPU) ? maskSetOnThisVcpu : vm.userSpaceMsrMask;
        if ((mask & reason) == 0) {
            // kvm_emulate_wrmsr(): "/* Signal all other negative errors to userspace */ if (r < 0) return r;" (5.10, 6.12)
            return r < 0 && !mutations.contains(Mutation.NEGATIVE_WRMSR_ERROR_INJECTS_GP) ? new MsrResult.RunFails(-r) : new MsrResult.Fault();
        }
        return new MsrResult.ExitToUserspace(reason, data);
    }
}
