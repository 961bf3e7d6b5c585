package io.msrconf.kvm.uapi;

/**
 * ioctl request numbers and the constants of the ioctls' structs in the KVM API ({@code <linux/kvm.h>}, x86
 * {@code <asm/kvm.h>}). Request numbers are computed the way the kernel's {@code _IO*} macros
 * compute them, from the struct sizes in {@link KvmLayouts}; UapiLayoutTest checks every value here
 * against the system header.
 */
public final class KvmIoctls {

    /** The only API version there has ever been; userspace must refuse any other. */
    public static final int KVM_API_VERSION = 12;

    public static final int KVMIO = 0xAE;

    // <asm-generic/ioctl.h>: dir in bits 30-31, size in 16-29, type in 8-15, nr in 0-7
    private static final int IOC_NONE = 0;
    private static final int IOC_WRITE = 1;
    private static final int IOC_READ = 2;

    public static long ioc(int dir, int type, int nr, int size) {
        return (long) dir << 30 | (long) size << 16 | (long) type << 8 | nr;
    }

    public static long io(int nr) {
        return ioc(IOC_NONE, KVMIO, nr, 0);
    }

    public static long ior(int nr, int size) {
        return ioc(IOC_READ, KVMIO, nr, size);
    }

    public static long iow(int nr, int size) {
        return ioc(IOC_WRITE, KVMIO, nr, size);
    }

    public static long iowr(int nr, int size) {
        return ioc(IOC_READ | IOC_WRITE, KVMIO, nr, size);
    }

    // system ioctls (on /dev/kvm)
    public static final long KVM_GET_API_VERSION = io(0x00);
    public static final long KVM_CREATE_VM = io(0x01);
    public static final long KVM_GET_MSR_INDEX_LIST = iowr(0x02, KvmLayouts.MsrList.SIZE);
    public static final long KVM_CHECK_EXTENSION = io(0x03);
    public static final long KVM_GET_VCPU_MMAP_SIZE = io(0x04);
    public static final long KVM_GET_SUPPORTED_CPUID = iowr(0x05, KvmLayouts.Cpuid2.SIZE);

    // VM ioctls
    public static final long KVM_CREATE_VCPU = io(0x41);
    public static final long KVM_SET_USER_MEMORY_REGION = iow(0x46, KvmLayouts.UserspaceMemoryRegion.SIZE);
    public static final long KVM_CREATE_IRQCHIP = io(0x60);
    public static final long KVM_ENABLE_CAP = iow(0xa3, KvmLayouts.EnableCap.SIZE);
    public static final long KVM_X86_SET_MSR_FILTER = iow(0xc6, KvmLayouts.MsrFilter.SIZE);
    public static final long KVM_XEN_HVM_CONFIG = iow(0x7a, KvmLayouts.XenHvmConfig.SIZE);

    // vCPU ioctls
    public static final long KVM_RUN = io(0x80);
    public static final long KVM_GET_REGS = ior(0x81, KvmLayouts.Regs.SIZE);
    public static final long KVM_SET_REGS = iow(0x82, KvmLayouts.Regs.SIZE);
    public static final long KVM_GET_SREGS = ior(0x83, KvmLayouts.Sregs.SIZE);
    public static final long KVM_SET_SREGS = iow(0x84, KvmLayouts.Sregs.SIZE);
    public static final long KVM_GET_MSRS = iowr(0x88, KvmLayouts.Msrs.SIZE);
    public static final long KVM_SET_MSRS = iow(0x89, KvmLayouts.Msrs.SIZE);
    public static final long KVM_SET_CPUID2 = iow(0x90, KvmLayouts.Cpuid2.SIZE);
    /** {@code struct kvm_lapic_state} is {@code char regs[KVM_APIC_REG_SIZE]}: the whole local APIC register page. */
    public static final int KVM_APIC_REG_SIZE = 0x400;
    public static final long KVM_GET_LAPIC = ior(0x8e, KVM_APIC_REG_SIZE);
    public static final long KVM_SET_LAPIC = iow(0x8f, KVM_APIC_REG_SIZE);
    /** {@code struct kvm_mp_state} is one u32. */
    public static final long KVM_SET_MP_STATE = iow(0x99, 4);

    /** kvm_cpuid_entry2.flags: the entry applies to one subleaf only (the header spells it SIGNIFCANT). */
    public static final int KVM_CPUID_FLAG_SIGNIFCANT_INDEX = 1;

    private KvmIoctls() {
    }
}
