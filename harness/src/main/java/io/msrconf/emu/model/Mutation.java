package io.msrconf.emu.model;

/**
 * Deliberate bugs the reference model can be built with, each a plausible kernel regression. The
 * mutation check runs every spec case against each one: a mutant that no case kills marks a gap in
 * the suite. The correct model is built with none of them.
 */
public enum Mutation {
    /** kvm_msr_allowed() loses its early return for 0x800-0x8ff: x2APIC MSRs become filterable. */
    X2APIC_EXEMPTION_LOST,
    /** The last matching range decides instead of the first (no "break"). */
    LAST_MATCH_WINS,
    /** A range matches whatever its flags: "(flags & type)" dropped. */
    RANGE_FLAGS_IGNORED,
    /** READ and WRITE confused: a READ range governs writes and a WRITE range reads. */
    READ_WRITE_SWAPPED,
    /** default_allow computed from the wrong polarity of KVM_MSR_FILTER_DEFAULT_DENY. */
    DEFAULT_INVERTED,
    /** Range end compared inclusively: [base, base+nmsrs] instead of [base, base+nmsrs). */
    RANGE_END_INCLUSIVE,
    /** base + nmsrs computed in 64 bits: a range that wraps past 0xffffffff matches (an integer-width slip). */
    RANGE_END_64BIT,
    /** The bitmap read most-significant bit first within each byte. */
    BITMAP_MSB_FIRST,
    /** kvm_add_msr_filter() no longer refuses zero or unknown range flags. */
    RANGE_FLAGS_NOT_VALIDATED,
    /** kvm_vm_ioctl_set_msr_filter() no longer refuses unknown filter flags. */
    FILTER_FLAGS_NOT_VALIDATED,
    /** DEFAULT_DENY with no non-empty range accepted (and then denying everything). */
    EMPTY_DENY_ACCEPTED,
    /** Bitmap size limit off by one: exactly KVM_MSR_FILTER_MAX_BITMAP_SIZE refused. */
    BITMAP_LIMIT_OFF_BY_ONE,
    /** A refused KVM_X86_SET_MSR_FILTER removes the filter that was in force. */
    PREVIOUS_FILTER_LOST_ON_ERROR,
    /** Empty ranges are validated like the others (flags 0 refused) instead of skipped. */
    EMPTY_RANGE_VALIDATED,
    /** KVM_ENABLE_CAP(KVM_CAP_X86_USER_SPACE_MSR) takes a mask with unknown bits instead of refusing it. */
    EXIT_MASK_NOT_VALIDATED,
    /** A filter denial reported to userspace with reason UNKNOWN instead of FILTER. */
    FILTER_EXIT_REASON_WRONG,
    /** WRMSR exit data truncated to EAX (an integer-width slip: EDX dropped). */
    WRMSR_EXIT_DATA_TRUNCATED,
    /** Userspace's non-zero msr.error ignored: the access completes instead of #GP. */
    USERSPACE_ERROR_IGNORED,
    /** RDMSR completion loads only EAX from msr.data (EDX cleared). */
    RDMSR_COMPLETION_TRUNCATED,
    /** KVM_GET_MSRS/KVM_SET_MSRS from userspace go through the filter. */
    HOST_ACCESS_FILTERED,
    /** The filter is consulted after the MSR is looked up: unknown MSRs exit UNKNOWN although denied. */
    FILTER_CHECKED_AFTER_LOOKUP,
    /** x2APIC registers readable/writable even when x2APIC mode is off. */
    X2APIC_MODE_IGNORED,
    /**
     * Side-effect MSR reads are filtered (pre-5.18 behaviour): KVM's instruction emulator reads MSRs for
     * other instructions (em_rdtsc() reads IA32_TSC) through the filter, as before ac8d6cad3c7b "KVM: x86:
     * Only do MSR filtering when access MSR by rdmsr/wrmsr" moved the check out of __kvm_get_msr().
     */
    SIDE_EFFECT_READS_FILTERED,
    /**
     * PMU MSRs KVM knows but does not support for the vCPU fail guest accesses with a plain 1 (an INVAL
     * exit), as kvm_get_msr_common() did before 2de154f541fc (6.3) instead of KVM_MSR_RET_UNSUPPORTED.
     */
    UNSUPPORTED_PMU_MSRS_INVALID,
    /**
     * KVM_REQ_MSR_FILTER_CHANGED not acted on: a vCPU keeps filtering its guest as the filter in force
     * when that guest started did (kvm_amd/kvm_intel would not recompute the MSR interception), so a
     * filter installed or removed while the guest is paused does not reach it.
     */
    FILTER_CHANGE_MISSED_BY_A_RUNNING_GUEST,
    /** kvm->arch.user_space_msr_mask latched when the guest started: an exit mask changed while it is paused does not apply. */
    EXIT_MASK_LATCHED_AT_GUEST_START,
    /**
     * A vCPU created while a filter is installed starts unfiltered (its MSR interception computed without
     * consulting kvm_msr_allowed()), until the next filter change.
     */
    FILTER_IGNORED_BY_A_VCPU_CREATED_UNDER_IT,
    /** The exit mask kept per vCPU instead of per VM: only the vCPU it was set through (the first) exits to userspace. */
    EXIT_MASK_PER_VCPU,
    /** A non-canonical SYSENTER_ESP/EIP refused (#GP, KVM_SET_MSRS stops) instead of made canonical by __kvm_set_msr(). */
    SYSENTER_NONCANONICAL_REFUSED,
    /** kvm.ignore_msrs also swallows accesses the filter denies (it is checked before the filter, not after). */
    IGNORE_MSRS_MASKS_FILTERED,
    /** KVM_CHECK_EXTENSION answers another non-zero value than 1 for the capabilities of this API (a VMM comparing with 1 breaks). */
    CAPABILITY_VALUE_WRONG,
    /** KVM_X86_SET_MSR_FILTER with a NULL argument taken as "remove the filter" instead of refused with EFAULT. */
    NULL_FILTER_ARGUMENT_REMOVES_THE_FILTER,
    /**
     * A negative error of a WRMSR handler (Xen's hypercall page failing in memdup_user()) injects #GP like a
     * refusal, instead of returning from KVM_RUN ("Signal all other negative errors to userspace").
     */
    NEGATIVE_WRMSR_ERROR_INJECTS_GP,
    /**
     * The same negative error of a WRMSR run by KVM's instruction emulator injects #GP, instead of failing the emulation
     * (emulator_set_msr_with_filter(): "if (r < 0) return X86EMUL_UNHANDLEABLE;").
     */
    EMULATED_NEGATIVE_WRMSR_ERROR_INJECTS_GP
}
