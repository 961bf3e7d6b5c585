package io.msrconf.backend;

import io.msrconf.filter.MsrFilter;
import io.msrconf.kvm.KvmResult;

/**
 * One case's VM as the step dispatcher ({@link CaseExecutor}) drives it: real KVM's or the emulator's,
 * already set up for the case (irqchip, memory, payload, vCPU, CPUID, exit mask, APIC mode) when a
 * {@link CaseVmSource} hands it out.
 */
public interface CaseVm {

    /** KVM_X86_SET_MSR_FILTER. */
    KvmResult setMsrFilter(MsrFilter filter);

    /** KVM_ENABLE_CAP(KVM_CAP_X86_USER_SPACE_MSR) on the VM with {@code mask} as it is. */
    KvmResult enableUserSpaceMsr(int mask);

    /** KVM_SET_MSRS on the vCPU: the value is how many were written. */
    KvmResult hostSetMsrs(int[] indexes, long[] values);

    /** KVM_GET_MSRS on the vCPU: the value is how many were read into {@code valuesOut}. */
    KvmResult hostGetMsrs(int[] indexes, long[] valuesOut);

    GuestVcpu vcpu();
}
