package io.msrconf.abi;

/**
 * KVM capability numbers ({@code KVM_CAP_*} of {@code <linux/kvm.h>}) that msrconf asks about with
 * KVM_CHECK_EXTENSION or turns on with KVM_ENABLE_CAP. Named exactly as in the header (UapiLayoutTest
 * checks every value).
 */
public final class KvmCap {

    public static final int KVM_CAP_IRQCHIP = 0;
    public static final int KVM_CAP_EXT_CPUID = 7;
    public static final int KVM_CAP_IMMEDIATE_EXIT = 136;
    public static final int KVM_CAP_X86_USER_SPACE_MSR = 188;
    public static final int KVM_CAP_X86_MSR_FILTER = 189;
    /** Whether KVM_XEN_HVM_CONFIG exists (always before 5.12; since, only with CONFIG_KVM_XEN: 0 on Debian's 6.1). */
    public static final int KVM_CAP_XEN_HVM = 38;

    private KvmCap() {
    }
}
