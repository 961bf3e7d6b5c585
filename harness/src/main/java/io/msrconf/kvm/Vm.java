package io.msrconf.kvm;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.msrconf.filter.BitmapMemory;
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
     * is passed with a NULL bitmap pointer; the others are placed as {@link MsrFilter#bitmapMemory}
     * says, and every buffer and mapping made for them is released before this returns.
     */
    public int setMsrFilter(MsrFilter filter) {
        try (BitmapBuffers bitmaps = new BitmapBuffers(); Memory struct = marshal(filter, bitmaps)) {
            return setMsrFilterRaw(struct);
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

    /** The filter as a struct kvm_msr_filter; the bitmap memory it points to is recorded in {@code bitmaps}. */
    static Memory marshal(MsrFilter filter, BitmapBuffers bitmaps) {
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
                Pointer bitmap = switch (filter.bitmapMemory(i)) {
                    case VALID_PADDED -> bitmaps.nativeBitmap(range);
                    case SHORT -> bitmaps.beforeGuardPage(range.bitmap());
                    case UNMAPPED -> bitmaps.unmapped();
                };
                struct.setPointer(at + KvmLayouts.MsrFilterRange.BITMAP, bitmap);
            }
        }
        return struct;
    }

    /**
     * The native memory behind one marshalled filter's bitmap pointers: JNA buffers and anonymous
     * mappings, released together on close. Placements that fault ({@link BitmapMemory#SHORT},
     * {@link BitmapMemory#UNMAPPED}) use their own mappings, never the JVM's heap, so that what
     * follows the bitmap is known to be inaccessible rather than whatever malloc put there.
     */
    static final class BitmapBuffers implements AutoCloseable {

        private final List<Memory> buffers = new ArrayList<>();
        private final List<Pointer> mappings = new ArrayList<>();
        private final List<Long> mappingSizes = new ArrayList<>();

        /**
         * The bitmap zero-padded to what the kernel copies (whole longs for nmsrs bits, never more
         * than the 0x600 bytes it accepts) so that a bitmap shorter than nmsrs reads as denying, the
         * way {@link FilterRange#bitFor} models it, and never reads past the buffer.
         */
        Pointer nativeBitmap(FilterRange range) {
            byte[] bits = range.bitmap();
            long kernelReads = Math.min(FilterRange.kernelCopyBytes(range.nmsrs()), MsrFilter.MAX_BITMAP_BYTES);
            Memory bitmap = new Memory(Math.max(1, Math.max(bits.length, kernelReads)));
            buffers.add(bitmap);
            bitmap.clear();
            bitmap.write(0, bits, 0, bits.length);
            return bitmap;
        }

        /**
         * Exactly {@code bits}, ending where a PROT_NONE page begins: a copy of more bytes than these
         * runs into that page and faults. An empty bitmap points at the PROT_NONE page itself.
         */
        Pointer beforeGuardPage(byte[] bits) {
            long dataPages = (bits.length + PAGE_SIZE - 1) / PAGE_SIZE;
            long size = (dataPages + 1) * PAGE_SIZE;
            Pointer mapping = Sys.mmap("short filter bitmap", size, LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS, -1);
            track(mapping, size);
            try {
                LibC.mprotect(mapping.share(dataPages * PAGE_SIZE), PAGE_SIZE, LibC.PROT_NONE);
            } catch (LastErrorException e) {
                throw new KvmException("mprotect of the guard page after a short filter bitmap", e.getErrorCode());
            }
            long start = dataPages * PAGE_SIZE - bits.length;
            mapping.write(start, bits, 0, bits.length);
            return mapping.share(start);
        }

        /**
         * An address in a page that was mapped and is unmapped again before the ioctl. The page is
         * the middle one of three; its neighbours stay mapped PROT_NONE until close, so the hole is
         * exactly one page. Otherwise it would merge with the free space beside it and the next
         * mapping (a later slot's guard page, or any the JVM makes) would likely land on it: a
         * one-page hole only takes a one-page mapping, which neither this class nor malloc makes.
         */
        Pointer unmapped() {
            long size = 3 * PAGE_SIZE;
            Pointer mapping = Sys.mmap("unmapped filter bitmap", size, LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS, -1);
            try {
                LibC.mprotect(mapping, size, LibC.PROT_NONE);
            } catch (LastErrorException e) {
                Sys.munmap(mapping, size);
                throw new KvmException("mprotect of the pages around an unmapped filter bitmap", e.getErrorCode());
            }
            Pointer hole = mapping.share(PAGE_SIZE);
            Sys.munmap(hole, PAGE_SIZE);
            track(mapping, PAGE_SIZE);
            track(hole.share(PAGE_SIZE), PAGE_SIZE);
            return hole;
        }

        private void track(Pointer mapping, long size) {
            mappings.add(mapping);
            mappingSizes.add(size);
        }

        /** How many buffers and mappings back the bitmaps (an unmapped bitmap: the two pages around its hole). */
        int count() {
            return buffers.size() + mappings.size();
        }

        @Override
        public void close() {
            RuntimeException failure = null;
            for (Memory buffer : buffers) {
                failure = attempt(buffer::close, failure);
            }
            for (int i = 0; i < mappings.size(); i++) {
                Pointer mapping = mappings.get(i);
                long size = mappingSizes.get(i);
                failure = attempt(() -> Sys.munmap(mapping, size), failure);
            }
            buffers.clear();
            mappings.clear();
            mappingSizes.clear();
            if (failure != null) {
                throw failure;
            }
        }
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
