package io.msrconf.kvm;

import io.msrconf.filter.MsrFilter;
import io.msrconf.vcpu.GuestMemory;

/**
 * A VM: its vCPUs and guest memory are created through it, and closing it closes them all. One memory
 * slot (0, at guest-physical 0) is all the harness needs.
 */
public interface KvmVm extends AutoCloseable {

    /** The in-kernel PIC, IOAPIC and LAPIC; needed for x2APIC MSRs, and before any vCPU exists. */
    void createIrqchip();

    /** KVM_CHECK_EXTENSION on the VM fd, which may answer differently from the system fd. */
    int checkExtension(int cap);

    /** KVM_ENABLE_CAP with up to four arguments, e.g. (KVM_CAP_X86_USER_SPACE_MSR, reason bits), and flags 0. */
    default KvmResult enableCap(int cap, long... args) {
        return enableCapWithFlags(cap, 0, args);
    }

    /** KVM_ENABLE_CAP with struct kvm_enable_cap's flags as given (x86 refuses any: "if (cap->flags) return -EINVAL;"). */
    KvmResult enableCapWithFlags(int cap, int flags, long... args);

    /** Maps {@code size} bytes (a positive multiple of 4 KiB) as guest-physical [0, size), slot 0. */
    GuestMemory mapMemory(long size);

    KvmVcpu createVcpu(int id);

    /**
     * KVM_X86_SET_MSR_FILTER with the filter as given, valid or not: each range's bitmap is placed as
     * {@link MsrFilter#bitmapMemory} says, on the side of the transport where KVM runs, and released
     * before this returns.
     */
    KvmResult setMsrFilter(MsrFilter filter);

    /** KVM_X86_SET_MSR_FILTER with a NULL argument. */
    KvmResult setMsrFilterNullArgument();

    /**
     * KVM_XEN_HVM_CONFIG with flags 0, this hypercall-page MSR and 32- and 64-bit blobs of {@code blobPages}
     * pages at {@link io.msrconf.filter.BitmapMemory#WILD_ADDRESS}, where no process can map anything: KVM
     * never gets to copy memory of the process into the guest.
     */
    KvmResult xenHvmConfig(int msr, int blobPages);

    @Override
    void close();
}
