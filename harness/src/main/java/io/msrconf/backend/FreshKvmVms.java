package io.msrconf.backend;

import io.msrconf.guest.GuestLayout;
import io.msrconf.kvm.Kvm;
import io.msrconf.kvm.KvmVm;
import io.msrconf.spec.Case;
import io.msrconf.vcpu.GuestMemory;

/**
 * A fresh VM per case (in-kernel irqchip, guest memory, vCPU 0 with the CPUID KVM supports unless the
 * case creates its vCPUs in steps), so no case sees another's state: the default wherever a verdict counts.
 */
final class FreshKvmVms implements CaseVmSource {

    private final Kvm kvm;
    private final KvmCapabilities capabilities;
    private final KvmGuestImage image;

    FreshKvmVms(Kvm kvm, KvmCapabilities capabilities, KvmGuestImage image) {
        this.kvm = kvm;
        this.capabilities = capabilities;
        this.image = image;
    }

    @Override
    public CaseVm open(Case c) {
        KvmVm vm = kvm.createVm();
        try {
            vm.createIrqchip();
            GuestMemory memory = vm.mapMemory(GuestLayout.MEMORY_SIZE);
            image.load(memory);
            if (!c.vcpu().userspaceExits().isEmpty()) {
                KvmCaseVm.enableUserSpaceMsr(vm, c.vcpu().exitReasonMask());
            }
            KvmCaseVm caseVm = new KvmCaseVm(vm, memory, image, capabilities.cpuid(), c.vcpu().x2apic());
            if (c.setupCreatesVcpu0()) {
                caseVm.createVcpu0();
            }
            return caseVm;
        } catch (RuntimeException | Error e) {
            vm.close();
            throw e;
        }
    }

    @Override
    public void release(CaseVm vm, boolean atRest) {
        ((KvmCaseVm) vm).vm.close();
    }

    @Override
    public void close() {
        // each VM is closed by release; the KVM itself belongs to whoever opened it
    }
}
