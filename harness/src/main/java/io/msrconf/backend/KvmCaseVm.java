package io.msrconf.backend;

import io.msrconf.abi.KvmCap;
import io.msrconf.abi.Msr;
import io.msrconf.filter.MsrFilter;
import io.msrconf.kvm.KvmException;
import io.msrconf.kvm.KvmResult;
import io.msrconf.kvm.KvmVcpu;
import io.msrconf.kvm.KvmVm;
import io.msrconf.vcpu.GuestMemory;

/** A case's VM on real KVM: one VM, its memory and its vCPU. */
class KvmCaseVm implements CaseVm {

    final KvmVm vm;
    final KvmVcpu vcpu;
    final GuestMemory memory;
    private final GuestVcpu guestVcpu;

    KvmCaseVm(KvmVm vm, KvmVcpu vcpu, GuestMemory memory, KvmGuestImage image) {
        this.vm = vm;
        this.vcpu = vcpu;
        this.memory = memory;
        this.guestVcpu = image.vcpu(vcpu, memory);
    }

    @Override
    public KvmResult setMsrFilter(MsrFilter filter) {
        return vm.setMsrFilter(filter);
    }

    @Override
    public KvmResult enableUserSpaceMsr(int mask) {
        return vm.enableCap(KvmCap.KVM_CAP_X86_USER_SPACE_MSR, mask);
    }

    @Override
    public KvmResult hostSetMsrs(int[] indexes, long[] values) {
        return vcpu.setMsrs(indexes, values);
    }

    @Override
    public KvmResult hostGetMsrs(int[] indexes, long[] valuesOut) {
        return vcpu.getMsrs(indexes, valuesOut);
    }

    @Override
    public GuestVcpu vcpu() {
        return guestVcpu;
    }

    /** KVM_ENABLE_CAP(KVM_CAP_X86_USER_SPACE_MSR) with the case's exit reasons, as part of the VM's setup. */
    static void enableUserSpaceMsr(KvmVm vm, int mask) {
        vm.enableCap(KvmCap.KVM_CAP_X86_USER_SPACE_MSR, mask).orThrow("KVM_ENABLE_CAP(KVM_CAP_X86_USER_SPACE_MSR, " + mask + ")");
    }

    /** IA32_APIC_BASE through KVM_SET_MSRS, as part of the VM's setup (x2APIC mode for a case that asks for it). */
    static void setApicBase(KvmVcpu vcpu, long value, String what) {
        KvmResult set = vcpu.setMsrs(new int[] {Msr.MSR_IA32_APICBASE}, new long[] {value});
        if (set.value() != 1) {
            throw new KvmException("KVM_SET_MSRS(IA32_APIC_BASE = " + what + ")", set.errno());
        }
    }
}
