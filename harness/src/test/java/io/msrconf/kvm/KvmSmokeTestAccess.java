package io.msrconf.kvm;

/** KvmSmokeTest's guest set-up, for the local transport's own test in another package. */
public final class KvmSmokeTestAccess {

    private KvmSmokeTestAccess() {
    }

    public static KvmVcpu realModeVcpu(KvmVm vm, long rip) {
        return KvmSmokeTest.realModeVcpu(vm, rip);
    }
}
