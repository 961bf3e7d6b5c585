package io.msrconf.backend;

import io.msrconf.filter.MsrFilter;
import io.msrconf.kvm.KvmResult;

/**
 * One case's VM as the step dispatcher ({@link CaseExecutor}) drives it: real KVM's or the emulator's,
 * already set up for the case (irqchip, memory, payload, exit mask, and vCPU 0 with its CPUID and APIC
 * mode unless the case creates it in a step) when a {@link CaseVmSource} hands it out.
 */
public interface CaseVm {

    /** KVM_X86_SET_MSR_FILTER; a null filter is the ioctl with a NULL argument. */
    KvmResult setMsrFilter(MsrFilter filter);

    /** KVM_ENABLE_CAP(KVM_CAP_X86_USER_SPACE_MSR) on the VM with {@code mask} and the struct's {@code flags} as they are. */
    KvmResult enableUserSpaceMsr(int mask, int flags);

    /** KVM_XEN_HVM_CONFIG with this hypercall-page MSR and a blob KVM cannot read ({@link io.msrconf.kvm.KvmVm#xenHvmConfig}). */
    KvmResult xenHvmConfig(int msr, int blobPages);

    /** KVM_CHECK_EXTENSION on the VM fd. */
    int checkExtension(int cap);

    /** KVM_CREATE_VCPU({@code id}); a vCPU other than 0 is made runnable (it is not the boot processor). */
    KvmResult createVcpu(int id);

    /** KVM_SET_CPUID2 for vCPU {@code id}, then IA32_APIC_BASE for the case's APIC mode. */
    KvmResult setCpuid(int id);

    /** KVM_SET_MSRS on vCPU {@code vcpu}: the value is how many were written. */
    KvmResult hostSetMsrs(int vcpu, int[] indexes, long[] values);

    /** KVM_GET_MSRS on vCPU {@code vcpu}: the value is how many were read into {@code valuesOut}. */
    KvmResult hostGetMsrs(int vcpu, int[] indexes, long[] valuesOut);

    /** Whether vCPU {@code id} exists: the setup or a step created it, and KVM did not refuse. */
    boolean hasVcpu(int id);

    /** vCPU {@code id}, created by the setup or a step. */
    GuestVcpu vcpu(int id);
}
