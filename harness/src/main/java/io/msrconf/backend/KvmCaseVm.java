package io.msrconf.backend;

import io.msrconf.abi.KvmCap;
import io.msrconf.abi.Msr;
import io.msrconf.filter.MsrFilter;
import io.msrconf.kvm.CpuidEntries;
import io.msrconf.kvm.KvmException;
import io.msrconf.kvm.KvmResult;
import io.msrconf.kvm.KvmVcpu;
import io.msrconf.kvm.KvmVm;
import io.msrconf.vcpu.GuestMemory;
import java.util.Map;
import java.util.TreeMap;

/** A case's VM on real KVM: one VM, its memory and its vCPUs. */
class KvmCaseVm implements CaseVm {

    final KvmVm vm;
    final GuestMemory memory;
    private final KvmGuestImage image;
    private final CpuidEntries cpuid;
    private final boolean x2apic;
    private final Map<Integer, KvmVcpu> vcpus = new TreeMap<>();
    private final Map<Integer, GuestVcpu> guestVcpus = new TreeMap<>();

    /** @param x2apic whether each vCPU goes to x2APIC mode after its CPUID (the case's vcpu.x2apic) */
    KvmCaseVm(KvmVm vm, GuestMemory memory, KvmGuestImage image, CpuidEntries cpuid, boolean x2apic) {
        this.vm = vm;
        this.memory = memory;
        this.image = image;
        this.cpuid = cpuid;
        this.x2apic = x2apic;
    }

    /** A VM whose vCPU 0 exists already, with its CPUID; its owner sets the APIC mode (the reused VM). */
    KvmCaseVm(KvmVm vm, KvmVcpu vcpu0, GuestMemory memory, KvmGuestImage image) {
        this(vm, memory, image, null, false);
        vcpus.put(0, vcpu0);
        guestVcpus.put(0, image.vcpu(vcpu0, memory));
    }

    @Override
    public KvmResult setMsrFilter(MsrFilter filter) {
        return filter == null ? vm.setMsrFilterNullArgument() : vm.setMsrFilter(filter);
    }

    @Override
    public KvmResult xenHvmConfig(int msr, int blobPages) {
        return vm.xenHvmConfig(msr, blobPages);
    }

    @Override
    public KvmResult enableUserSpaceMsr(int mask, int flags) {
        return vm.enableCapWithFlags(KvmCap.KVM_CAP_X86_USER_SPACE_MSR, flags, mask);
    }

    @Override
    public int checkExtension(int cap) {
        return vm.checkExtension(cap);
    }

    @Override
    public KvmResult createVcpu(int id) {
        try {
            KvmVcpu vcpu = vm.createVcpu(id);
            if (id != 0) {
                // With the in-kernel LAPIC a vCPU other than the boot processor waits for INIT/SIPI: make it runnable.
                vcpu.setMpState(KvmVcpu.MP_STATE_RUNNABLE);
            }
            vcpus.put(id, vcpu);
            guestVcpus.put(id, image.vcpu(vcpu, memory));
            return KvmResult.ofValue(0);
        } catch (KvmException e) {
            return refusal(e);
        }
    }

    /**
     * KVM's refusal of an ioctl as the step's result; a failure without an errno (the agent or its guest gone, as a kernel
     * oops in KVM_CREATE_VCPU leaves it) is no answer of KVM's, and is thrown for the run to report the target lost.
     */
    private static KvmResult refusal(KvmException e) {
        if (e.errno() == 0) {
            throw e;
        }
        return KvmResult.ofErrno(e.errno());
    }

    /** A refused KVM_SET_CPUID2 is the result; KVM refusing the x2APIC mode after it is a broken setup, thrown. */
    @Override
    public KvmResult setCpuid(int id) {
        KvmVcpu vcpu = kvmVcpu(id);
        try {
            vcpu.setCpuid(cpuid);
        } catch (KvmException e) {
            return refusal(e);
        }
        if (x2apic) {
            // kvm_lapic_reset() sets the BSP flag for vCPU 0 only; keep it as it is.
            setApicBase(vcpu, id == 0 ? Msr.APIC_BASE_X2APIC_BSP : Msr.APIC_BASE_X2APIC_BSP & ~Msr.APIC_BASE_BSP, "x2APIC mode");
        }
        return KvmResult.ofValue(0);
    }

    @Override
    public KvmResult hostSetMsrs(int vcpu, int[] indexes, long[] values) {
        return kvmVcpu(vcpu).setMsrs(indexes, values);
    }

    @Override
    public KvmResult hostGetMsrs(int vcpu, int[] indexes, long[] valuesOut) {
        return kvmVcpu(vcpu).getMsrs(indexes, valuesOut);
    }

    @Override
    public boolean hasVcpu(int id) {
        return vcpus.containsKey(id);
    }

    @Override
    public GuestVcpu vcpu(int id) {
        kvmVcpu(id);   // checks that it exists
        return guestVcpus.get(id);
    }

    KvmVcpu kvmVcpu(int id) {
        KvmVcpu v = vcpus.get(id);
        if (v == null) {
            throw new IllegalStateException("vCPU " + id + " was not created");   // the parser orders steps so that it is
        }
        return v;
    }

    /** vCPU 0 with its CPUID and APIC mode, as the setup creates it for a case that does not create it in a step. */
    void createVcpu0() {
        createVcpu(0).orThrow("KVM_CREATE_VCPU(0)");
        setCpuid(0).orThrow("KVM_SET_CPUID2 and IA32_APIC_BASE on vCPU 0");
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
