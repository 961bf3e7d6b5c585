package io.msrconf.kvm;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.msrconf.filter.FilterRange;
import io.msrconf.filter.MsrFilter;
import io.msrconf.kvm.sys.KvmIoctls;
import io.msrconf.kvm.sys.KvmLayouts;
import io.msrconf.kvm.sys.LibC;
import java.util.ArrayList;
import java.util.List;

/**
 * A VM fd, with the vCPUs and the guest memory created through it: closing the VM closes them
 * all. One memory slot (0, at guest-physical 0) is all the harness needs.
 */
public final class Vm implements AutoCloseable {

    private static final long PAGE_SIZE = 4096;

    private final int fd;
    private final int vcpuMmapSize;
    private final List<Vcpu> vcpus = new ArrayList<>();
    private GuestMemory memory;
    private boolean closed;

    Vm(int fd, int vcpuMmapSize) {
        this.fd = fd;
        this.vcpuMmapSize = vcpuMmapSize;
    }

    /** The in-kernel PIC, IOAPIC and LAPIC; needed for x2APIC MSRs, and before any vCPU exists. */
    public void createIrqchip() {
        Sys.ioctl("KVM_CREATE_IRQCHIP", fd(), KvmIoctls.KVM_CREATE_IRQCHIP, 0L);
    }

    /** KVM_CHECK_EXTENSION on the VM fd, which may answer differently from the system fd. */
    public int checkExtension(int cap) {
        return Sys.ioctl("KVM_CHECK_EXTENSION", fd(), KvmIoctls.KVM_CHECK_EXTENSION, cap);
    }

    /** KVM_ENABLE_CAP with up to four arguments, e.g. (KVM_CAP_X86_USER_SPACE_MSR, reason bits). */
    public void enableCap(int cap, long... args) {
        if (args.length > KvmLayouts.EnableCap.ARGS_LENGTH) {
            throw new IllegalArgumentException("kvm_enable_cap takes " + KvmLayouts.EnableCap.ARGS_LENGTH
                    + " arguments, got " + args.length);
        }
        try (Memory enable = new Memory(KvmLayouts.EnableCap.SIZE)) {
            enable.clear();
            enable.setInt(KvmLayouts.EnableCap.CAP, cap);
            enable.write(KvmLayouts.EnableCap.ARGS, args, 0, args.length);
            Sys.ioctl("KVM_ENABLE_CAP", fd(), KvmIoctls.KVM_ENABLE_CAP, enable);
        }
    }

    /**
     * Maps {@code size} bytes of anonymous memory and makes it guest-physical [0, size) as slot 0.
     * The VM owns the mapping and unmaps it on close.
     */
    public GuestMemory mapMemory(long size) {
        checkOpen();
        if (memory != null) {
            throw new IllegalStateException("guest memory is already mapped (" + memory.size() + " bytes)");
        }
        if (size <= 0 || size % PAGE_SIZE != 0) {
            throw new IllegalArgumentException("guest memory size must be a positive multiple of 4 KiB, got " + size);
        }
        // MAP_NORESERVE: only the pages the guest touches are backed
        Pointer host = Sys.mmap("guest memory", size, LibC.MAP_SHARED | LibC.MAP_ANONYMOUS | LibC.MAP_NORESERVE, -1);
        GuestMemory mapped = new GuestMemory(host, size);
        try (Memory region = new Memory(KvmLayouts.UserspaceMemoryRegion.SIZE)) {
            region.clear();
            region.setInt(KvmLayouts.UserspaceMemoryRegion.SLOT, 0);
            region.setLong(KvmLayouts.UserspaceMemoryRegion.GUEST_PHYS_ADDR, 0);
            region.setLong(KvmLayouts.UserspaceMemoryRegion.MEMORY_SIZE, size);
            region.setLong(KvmLayouts.UserspaceMemoryRegion.USERSPACE_ADDR, Pointer.nativeValue(host));
            Sys.ioctl("KVM_SET_USER_MEMORY_REGION", fd, KvmIoctls.KVM_SET_USER_MEMORY_REGION, region);
        } catch (RuntimeException | Error e) {
            mapped.unmap();
            throw e;
        }
        memory = mapped;
        return mapped;
    }

    /** Creates vCPU {@code id} with its kvm_run mapping; the VM closes it on close. */
    public Vcpu createVcpu(int id) {
        Vcpu vcpu = Vcpu.create(fd(), id, vcpuMmapSize);
        vcpus.add(vcpu);
        return vcpu;
    }

    /**
     * KVM_X86_SET_MSR_FILTER with the filter as given, valid or not. Returns 0 or the errno: the
     * validation cases expect EINVAL or EFAULT, so errno is data here. A range whose bitmap is null
     * is passed with a NULL bitmap pointer.
     */
    public int setMsrFilter(MsrFilter filter) {
        List<Memory> bitmaps = new ArrayList<>();
        try (Memory struct = marshal(filter, bitmaps)) {
            return setMsrFilterRaw(struct);
        } finally {
            bitmaps.forEach(Memory::close);
        }
    }

    /** KVM_X86_SET_MSR_FILTER on a caller-built struct (or NULL): 0 or the errno. */
    public int setMsrFilterRaw(Pointer filterStruct) {
        int rc = Sys.ioctlOrErrno(fd(), KvmIoctls.KVM_X86_SET_MSR_FILTER, filterStruct);
        return rc < 0 ? -rc : 0;
    }

    /**
     * Closes the vCPUs, then the VM fd, then unmaps guest memory: the memory slot points into the
     * mapping for as long as the VM lives. Every step runs even when an earlier one fails.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        RuntimeException failure = null;
        for (Vcpu vcpu : vcpus) {
            failure = attempt(vcpu::close, failure);
        }
        failure = attempt(() -> Sys.close(fd), failure);
        if (memory != null) {
            failure = attempt(memory::unmap, failure);
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** The filter as a struct kvm_msr_filter; the bitmap buffers it points to are added to {@code bitmaps}. */
    static Memory marshal(MsrFilter filter, List<Memory> bitmaps) {
        Memory struct = new Memory(KvmLayouts.MsrFilter.SIZE);
        struct.clear();
        struct.setInt(KvmLayouts.MsrFilter.FLAGS, filter.flags());
        for (int i = 0; i < filter.ranges().size(); i++) {
            FilterRange range = filter.ranges().get(i);
            long at = KvmLayouts.MsrFilter.RANGES + (long) i * KvmLayouts.MsrFilterRange.SIZE;
            struct.setInt(at + KvmLayouts.MsrFilterRange.FLAGS, range.flags());
            struct.setInt(at + KvmLayouts.MsrFilterRange.NMSRS, range.nmsrs());
            struct.setInt(at + KvmLayouts.MsrFilterRange.BASE, range.base());
            if (range.bitmap() != null) {
                Memory bitmap = nativeBitmap(range);
                bitmaps.add(bitmap);
                struct.setPointer(at + KvmLayouts.MsrFilterRange.BITMAP, bitmap);
            }
        }
        return struct;
    }

    /**
     * The bitmap in native memory, zero-padded to what the kernel copies (whole longs for nmsrs
     * bits, never more than the 0x600 bytes it accepts) so that a bitmap shorter than nmsrs reads
     * as denying, the way {@link FilterRange#bitFor} models it, and never reads past the buffer.
     */
    private static Memory nativeBitmap(FilterRange range) {
        byte[] bits = range.bitmap();
        long kernelReads = Math.min(FilterRange.kernelCopyBytes(range.nmsrs()), MsrFilter.MAX_BITMAP_BYTES);
        Memory bitmap = new Memory(Math.max(1, Math.max(bits.length, kernelReads)));
        bitmap.clear();
        bitmap.write(0, bits, 0, bits.length);
        return bitmap;
    }

    private static RuntimeException attempt(Runnable step, RuntimeException failure) {
        try {
            step.run();
            return failure;
        } catch (RuntimeException e) {
            if (failure == null) {
                return e;
            }
            failure.addSuppressed(e);
            return failure;
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("VM is closed");
        }
    }

    private int fd() {
        checkOpen();
        return fd;
    }
}
