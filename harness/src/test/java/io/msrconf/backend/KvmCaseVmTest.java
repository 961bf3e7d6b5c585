package io.msrconf.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.msrconf.kvm.KvmException;
import io.msrconf.kvm.KvmResult;
import io.msrconf.kvm.KvmVm;
import java.lang.reflect.Proxy;
import org.junit.jupiter.api.Test;

/**
 * KVM refusing KVM_CREATE_VCPU is a step's result; the agent or its guest gone during it (a kernel oops in the ioctl) is
 * not: taking that for success once left the case without a vCPU 0 and crashed the whole suite.
 */
class KvmCaseVmTest {

    private static KvmVm failingCreateVcpu(KvmException failure) {
        return (KvmVm) Proxy.newProxyInstance(KvmVm.class.getClassLoader(), new Class<?>[] {KvmVm.class}, (proxy, method, args) -> {
            if (method.getName().equals("createVcpu")) {
                throw failure;
            }
            throw new AssertionError("not reached: " + method.getName());
        });
    }

    @Test
    void aRefusedVcpuIsTheStepsResult() {
        KvmCaseVm vm = new KvmCaseVm(failingCreateVcpu(new KvmException("KVM_CREATE_VCPU", 14)), null, null, null, false);
        KvmResult r = vm.createVcpu(0);
        assertThat(r.errno()).isEqualTo(14);
        assertThat(vm.hasVcpu(0)).isFalse();
    }

    @Test
    void aGuestGoneDuringTheIoctlIsThrownNotTakenForSuccess() {
        KvmException gone = new KvmException("KVM_CREATE_VCPU", 0, "KVM_CREATE_VCPU failed: the msrconf agent in the guest closed"
                + " the connection (the guest shut down or crashed)");
        KvmCaseVm vm = new KvmCaseVm(failingCreateVcpu(gone), null, null, null, false);
        assertThatThrownBy(() -> vm.createVcpu(0)).isSameAs(gone);
        assertThat(vm.hasVcpu(0)).isFalse();
    }
}
