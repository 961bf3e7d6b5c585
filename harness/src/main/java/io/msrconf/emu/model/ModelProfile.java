package io.msrconf.emu.model;

import io.msrconf.spec.KernelVersion;
import java.util.List;
import java.util.Optional;

/**
 * Which KVM the model stands for: the kernel version (behaviour that changed over releases) and what
 * depends on the vendor module and its configuration rather than on common x86 code. Chosen from what
 * the target says about itself (its release, its loaded kvm_* modules and their parameters), never from
 * a result. Each behaviour below cites the kernel text it follows; the spec cases that check it carry
 * the same citations and version ranges.
 *
 * @param kernel                   the kernel version modelled (the upstream stable release for a
 *                                 distribution kernel)
 * @param tprSyncedFromVtprAtExit  kvm_amd without AVIC: at every VM exit the local APIC's TPR is set from
 *                                 the VMCB's V_TPR, which holds only TPR[7:4], so a TPR written with low
 *                                 bits set reads back without them once the guest has exited again
 *                                 (svm.c sync_cr8_to_lapic() "kvm_set_cr8(vcpu, cr8)" -> lapic.c
 *                                 kvm_lapic_set_tpr() "apic_set_tpr(apic, (cr8 & 0x0f) << 4)"; the CR8
 *                                 write intercept that would skip it is cleared by svm_update_cr8_intercept()
 *                                 whenever no interrupt is pending, and sync_lapic_to_cr8() loads V_TPR
 *                                 from kvm_get_cr8() = TPR >> 4 at every entry; 5.10 to 6.12 alike)
 * @param svmGuestVendor           for kvm_amd, the guest's CPUID vendor (which SYSENTER_ESP/EIP depend on,
 *                                 {@link #sysenterKeepsLow32Bits}); null for another module
 */
public record ModelProfile(String name, KernelVersion kernel, boolean tprSyncedFromVtprAtExit, String svmGuestVendor) {

    /** The newest behaviour of common x86 code: what the model is when nothing says otherwise. */
    public static final ModelProfile LATEST = new ModelProfile("latest generic x86 KVM", new KernelVersion(999, 0, 0), false, null);

    private static final KernelVersion V5_11 = new KernelVersion(5, 11, 0);
    private static final KernelVersion V5_13 = new KernelVersion(5, 13, 0);
    private static final KernelVersion V5_18 = new KernelVersion(5, 18, 0);
    private static final KernelVersion V6_1 = new KernelVersion(6, 1, 0);
    private static final KernelVersion V6_3 = new KernelVersion(6, 3, 0);
    private static final KernelVersion V6_1_167 = new KernelVersion(6, 1, 167);

    /**
     * The profile for a kernel {@code kernel} whose vendor modules are {@code kvmModules} (the kvm_*
     * entries of /sys/module) and whose kvm_amd {@code avic} parameter reads {@code avic} (absent when
     * there is no such file). With AVIC the APIC is virtualized and sync_cr8_to_lapic() returns early
     * (kvm_vcpu_apicv_active()); svm.c: "static bool avic; module_param(avic, bool, 0444);", off unless set.
     */
    public static ModelProfile of(KernelVersion kernel, List<String> kvmModules, Optional<String> avic) {
        return of(kernel, kvmModules, avic, "AuthenticAMD");
    }

    /** As {@link #of(KernelVersion, List, Optional)}, for guests whose CPUID vendor is {@code guestVendor}. */
    public static ModelProfile of(KernelVersion kernel, List<String> kvmModules, Optional<String> avic, String guestVendor) {
        boolean avicOn = avic.map(String::strip).filter(v -> v.equals("Y") || v.equals("1")).isPresent();
        boolean svm = kvmModules.contains("kvm_amd");
        boolean svmTpr = svm && !avicOn;
        return new ModelProfile((svmTpr ? "kvm_amd without AVIC" : svm ? "kvm_amd" : "generic x86 KVM") + " " + kernel, kernel, svmTpr,
                svm ? guestVendor : null);
    }

    /** The MSRs kvm_amd passes through to the CPU from the start (svm.c direct_access_msrs, ".always = true"; 5.10, 6.1, 6.12). */
    private static final java.util.Set<Integer> SVM_ALWAYS_PASSED_THROUGH = java.util.Set.of(io.msrconf.abi.Msr.MSR_STAR,
            io.msrconf.abi.Msr.MSR_IA32_SYSENTER_CS, io.msrconf.abi.Msr.MSR_GS_BASE, io.msrconf.abi.Msr.MSR_FS_BASE,
            io.msrconf.abi.Msr.MSR_KERNEL_GS_BASE, io.msrconf.abi.Msr.MSR_LSTAR, io.msrconf.abi.Msr.MSR_CSTAR,
            io.msrconf.abi.Msr.MSR_SYSCALL_MASK);

    /**
     * Whether a guest access to {@code msr} that the filter allows goes to the CPU instead of KVM's emulation
     * (the filter denying it forces the intercept: set_msr_interception_bitmap()). kvm_amd: the ".always =
     * true" entries of direct_access_msrs, and, since the vendor split of SYSENTER_EIP/ESP (6.1 read; 5.10 has
     * no entry for them), those two for a guest that is not Intel-compatible: svm_vcpu_after_set_cpuid()
     * "No need to intercept these MSRs ... set_msr_interception(vcpu, svm->msrpm, MSR_IA32_SYSENTER_EIP, 1, 1);".
     * kvm_intel passes MSRs through too but is not modelled here (no target has it); kvm_pvm emulates every access.
     */
    public boolean passesThroughToCpu(int msr) {
        if (svmGuestVendor == null) {
            return false;
        }
        if (SVM_ALWAYS_PASSED_THROUGH.contains(msr)) {
            return true;
        }
        return (msr == io.msrconf.abi.Msr.MSR_IA32_SYSENTER_EIP || msr == io.msrconf.abi.Msr.MSR_IA32_SYSENTER_ESP)
                && sysenterKeepsLow32Bits();
    }

    /**
     * kvm_amd (6.1.176 and 6.12.117 read) keeps only the low 32 bits of SYSENTER_ESP/EIP for a guest that is
     * not Intel-compatible, on the host path too: svm_set_msr() "svm->vmcb01.ptr->save.sysenter_esp = (u32)data;
     * svm->sysenter_esp_hi = guest_cpuid_is_intel_compatible(vcpu) ? (data >> 32) : 0;" and svm_get_msr() ORs the
     * high half back only for such a guest (6.1: guest_cpuid_is_intel()). 5.10 (5.10.223 read) stores all 64
     * bits: "svm->sysenter_esp = data;". Releases between were not read. An AMD or Hygon vendor is not
     * Intel-compatible in 6.1 and 6.12 alike; Intel's is; others differ between those releases and are not modelled.
     */
    public boolean sysenterKeepsLow32Bits() {
        if (svmGuestVendor == null || kernel.compareTo(V5_11) < 0) {
            return false;
        }
        if (kernel.compareTo(V6_1) < 0) {
            throw new ModelLimitation("the model does not know whether kvm_amd " + kernel + " keeps 64 bits of SYSENTER_ESP/EIP"
                    + " (read for 5.10 and from 6.1 on)");
        }
        return switch (svmGuestVendor) {
            case "AuthenticAMD", "HygonGenuine" -> true;
            case "GenuineIntel" -> false;
            default -> throw new ModelLimitation("the model does not know whether kvm_amd " + kernel + " treats a guest with CPUID"
                    + " vendor " + svmGuestVendor + " as Intel-compatible for SYSENTER_ESP/EIP");
        };
    }

    /**
     * Before ac8d6cad3c7b "KVM: x86: Only do MSR filtering when access MSR by rdmsr/wrmsr" (5.18), MSR
     * reads the emulator makes as a side effect of an instruction (the IA32_TSC read of an emulated RDTSC)
     * went through the filter: __kvm_get_msr() returned KVM_MSR_RET_FILTERED for a denied guest read.
     */
    public boolean sideEffectReadsFiltered() {
        return kernel.compareTo(V5_18) < 0;
    }

    /**
     * Whether KVM_ENABLE_CAP(KVM_CAP_X86_USER_SPACE_MSR) refuses bits outside INVAL|UNKNOWN|FILTER: read in
     * 5.10.223, 6.1.176 and 6.12.117, which all do. Other releases were not read: the check was added
     * after 5.10 came out and reached 5.10.y later, so an early 5.10.y or a release between 5.11 and 6.0
     * may accept any mask.
     */
    public boolean exitMaskValidated() {
        boolean read = kernel.compareTo(V6_1) >= 0
                || kernel.major() == 5 && kernel.minor() == 10 && kernel.compareTo(new KernelVersion(5, 10, 223)) >= 0;
        if (!read) {
            throw new ModelLimitation("the model does not know whether kernel " + kernel + " refuses an exit mask with"
                    + " unknown bits (read for 5.10.223 and from 6.1 on)");
        }
        return true;
    }

    /**
     * Whether an x2APIC register write other than ICR with any of bits 63:32 set is refused: 6.1.176 and 6.12.117
     * kvm_lapic_msr_write(): "Bits 63:32 are reserved in all other registers." over "if (data >> 32) return 1;".
     * 5.10.223 kvm_x2apic_msr_write() writes "(u32)data" and never looks at them. Releases between were not read.
     */
    public boolean x2apicWriteHighBitsRefused() {
        return since61Not510("refuses x2APIC writes with bits 63:32 set");
    }

    /**
     * Whether an x2APIC ICR write with a reserved bit set is refused: 6.1.176 and 6.12.117 kvm_x2apic_icr_write():
     * "if (data & X2APIC_ICR_RESERVED_BITS) return 1;". 5.10.223 has no such check (kvm_x2apic_msr_write() writes
     * ICR2 and ICR as given). Releases between were not read.
     */
    public boolean x2apicIcrReservedBitsRefused() {
        return since61Not510("refuses x2APIC ICR writes with reserved bits set");
    }

    /**
     * Whether a negative error of a WRMSR handler under KVM's instruction emulator fails the emulation even when INVAL
     * exits are enabled: 6.1.176 and 6.12.117 emulator_set_msr_with_filter() check "if (r < 0) return
     * X86EMUL_UNHANDLEABLE;" before kvm_msr_user_space(); 5.10.223 emulator_set_msr() exits first. Releases between were not read.
     */
    public boolean emulatorFailsNegativeErrorsBeforeExits() {
        return since61Not510("fails the emulation of a WRMSR whose handler returns a negative error before an INVAL exit");
    }

    /**
     * A behaviour 6.1 (6.1.176) and later have and 5.10 (5.10.223) does not, the releases between unread: true from
     * 6.1, false before 5.11, and in between a limitation saying {@code what} the model does not know.
     */
    private boolean since61Not510(String what) {
        if (kernel.compareTo(V6_1) >= 0) {
            return true;
        }
        if (kernel.compareTo(V5_11) < 0) {
            return false;
        }
        throw new ModelLimitation("the model does not know whether kernel " + kernel + " " + what + " (read for 5.10 and from 6.1 on)");
    }

    /**
     * The order of kvm_add_msr_filter()'s checks of one range, which decides the errno of a range with
     * invalid flags whose bitmap cannot be copied. 6.1 (6.1.176 read) and 6.12: "if (user_range->flags &
     * ~KVM_MSR_FILTER_RANGE_VALID_MASK) return -EINVAL; if (!user_range->flags) return -EINVAL;" before
     * "bitmap = memdup_user(...)": EINVAL. 5.10 (5.10.223 read): memdup_user() first, "if (IS_ERR(bitmap))
     * return PTR_ERR(bitmap);", then the flags: EFAULT. Releases between were not read.
     */
    public boolean rangeFlagsCheckedBeforeCopy() {
        return since61Not510("checks a range's flags before copying its bitmap");
    }

    /**
     * Before c28fa560c5bb (5.13), kvm_get_msr_common(): "case MSR_F15H_PERF_CTL0 ... MSR_F15H_PERF_CTR5:
     * ... if (kvm_pmu_is_valid_msr(vcpu, msr_info->index)) return kvm_pmu_get_msr(vcpu, msr_info);
     * msr_info->data = 0; break;": a guest read completes, with 0 on a vCPU without a vPMU.
     */
    public boolean f15hPerfReadsComplete() {
        return kernel.compareTo(V5_13) < 0;
    }

    /**
     * Whether a guest access to a PMU MSR KVM knows but does not support for the vCPU fails with a plain
     * 1 (an INVAL exit) rather than KVM_MSR_RET_UNSUPPORTED (UNKNOWN): from the cases that returned "if
     * (!msr_info->host_initiated) return 1;" -- F15H_PERF since c28fa560c5bb (5.13), PEBS_ENABLE,
     * PEBS_DATA_CFG and DS_AREA in 6.1 -- until 2de154f541fc (6.3, stable 6.1.167) removed them. In 5.10
     * (5.10.223 read) kvm_get_msr_common() and kvm_set_msr_common() had no case for PEBS_ENABLE,
     * PEBS_DATA_CFG or DS_AREA: they reach "default: if (kvm_pmu_is_valid_msr(vcpu, msr)) ... return
     * KVM_MSR_RET_INVALID;", an UNKNOWN exit. Releases between 5.11 and 6.0 were not read for them.
     */
    public boolean unsupportedPmuMsrFailsWithInvalid(int msr) {
        if (kernel.compareTo(V6_3) >= 0 || kernel.major() == 6 && kernel.minor() == 1 && kernel.compareTo(V6_1_167) >= 0) {
            return false;
        }
        if (MsrFileModel.isF15hPerfMsr(msr)) {
            return kernel.compareTo(V5_13) >= 0;
        }
        if (kernel.compareTo(V6_1) >= 0) {
            return true;
        }
        if (kernel.compareTo(V5_11) < 0) {
            return false;
        }
        throw new ModelLimitation(String.format("the model does not know how kernel %s answers a guest access to PMU MSR 0x%x"
                + " (its code was read for 5.10 and from 6.1 on)", kernel, msr));
    }
}
