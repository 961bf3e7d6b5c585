package io.msrconf.kvm.local;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.msrconf.filter.BitmapMemory;
import io.msrconf.filter.FilterRange;
import io.msrconf.filter.MsrFilter;
import io.msrconf.kvm.uapi.KvmIoctls;
import io.msrconf.kvm.uapi.KvmLayouts;
import io.msrconf.kvm.KvmException;
import io.msrconf.kvm.KvmResult;
import io.msrconf.kvm.KvmVm;
import java.util.ArrayList;
import java.util.List;

/** A VM fd of this machine's KVM, with the vCPUs and guest memory created through it (see {@link KvmVm}). */
public final class LocalVm implements KvmVm {

    private static final long PAGE_SIZE = 4096;

    private final int fd;
    private final int vcpuMmapSize;
    private final List<LocalVcpu> vcpus = new ArrayList<>();
    private MappedGuestMemory memory;
    private boolean closed;

    LocalVm(int fd, int vcpuMmapSize) {
        this.fd = fd;
        this.vcpuMmapSize = vcpuMmapSize;
    }

    @Override
    public void createIrqchip() {
        Sys.ioctl("KVM_CREATE_IRQCHIP", fd(), KvmIoctls.KVM_CREATE_IRQCHIP, 0L);
    }

    @Override
    public int checkExtension(int cap) {
        return Sys.ioctl("KVM_CHECK_EXTENSION", fd(), KvmIoctls.KVM_CHECK_EXTENSION, cap);
    }

    @Override
    public KvmResult enableCapWithFlags(int cap, int flags, long... args) {
        if (args.length > KvmLayouts.EnableCap.ARGS_LENGTH) {
            throw new IllegalArgumentException("kvm_enable_cap takes " + KvmLayouts.EnableCap.ARGS_LENGTH
                    + " arguments, got " + args.length);
        }
        try (Memory enable = new Memory(KvmLayouts.EnableCap.SIZE)) {
            enable.clear();
            enable.setInt(KvmLayouts.EnableCap.CAP, cap);
            enable.setInt(KvmLayouts.EnableCap.FLAGS, flags);
            enable.write(KvmLayouts.EnableCap.ARGS, args, 0, args.length);
            return KvmResult.ofReturn(Sys.ioctlOrErrno(fd(), KvmIoctls.KVM_ENABLE_CAP, enable));
        }
    }

    /** Anonymous memory, owned by the VM and unmapped on close. */
    @Override
    public MappedGuestMemory mapMemory(long size) {
        checkOpen();
        if (memory != null) {
            throw new IllegalStateException("guest memory is already mapped (" + memory.size() + " bytes)");
        }
        if (size <= 0 || size % PAGE_SIZE != 0) {
            throw new IllegalArgumentException("guest memory size must be a positive multiple of 4 KiB, got " + size);
        }
        // MAP_NORESERVE: only the pages the guest touches are backed
        Pointer host = Sys.mmap("guest memory", size, LibC.MAP_SHARED | LibC.MAP_ANONYMOUS | LibC.MAP_NORESERVE, -1);
        MappedGuestMemory mapped = new MappedGuestMemory(host, size);
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
    @Override
    public LocalVcpu createVcpu(int id) {
        LocalVcpu vcpu = LocalVcpu.create(fd(), id, vcpuMmapSize);
        vcpus.add(vcpu);
        return vcpu;
    }

    /**
     * A range whose bitmap is null is passed with a NULL bitmap pointer; the others are placed as
     * {@link MsrFilter#bitmapMemory} says, in this process, and every buffer and mapping made for them
     * is released before this returns.
     */
    @Override
    public KvmResult setMsrFilter(MsrFilter filter) {
        try (BitmapBuffers bitmaps = new BitmapBuffers(); Memory struct = marshal(filter, bitmaps)) {
            return KvmResult.ofReturn(Sys.ioctlOrErrno(fd(), KvmIoctls.KVM_X86_SET_MSR_FILTER, struct));
        }
    }

    @Override
    public KvmResult setMsrFilterNullArgument() {
        return KvmResult.ofReturn(Sys.ioctlOrErrno(fd(), KvmIoctls.KVM_X86_SET_MSR_FILTER, Pointer.NULL));
    }

    @Override
    public KvmResult xenHvmConfig(int msr, int blobPages) {
        try (Memory config = new Memory(KvmLayouts.XenHvmConfig.SIZE)) {
            config.clear();
            config.setInt(KvmLayouts.XenHvmConfig.MSR, msr);
            config.setLong(KvmLayouts.XenHvmConfig.BLOB_ADDR_32, BitmapMemory.WILD_ADDRESS);
            config.setLong(KvmLayouts.XenHvmConfig.BLOB_ADDR_64, BitmapMemory.WILD_ADDRESS);
            config.setByte(KvmLayouts.XenHvmConfig.BLOB_SIZE_32, (byte) blobPages);
            config.setByte(KvmLayouts.XenHvmConfig.BLOB_SIZE_64, (byte) blobPages);
            return KvmResult.ofReturn(Sys.ioctlOrErrno(fd(), KvmIoctls.KVM_XEN_HVM_CONFIG, config));
        }
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
        for (LocalVcpu vcpu : vcpus) {
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
                    case WILD -> new Pointer(BitmapMemory.WILD_ADDRESS);
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

        /** The bitmap zero-padded to what the kernel copies ({@link FilterRange#kernelPaddedBitmap}). */
        Pointer nativeBitmap(FilterRange range) {
            byte[] padded = range.kernelPaddedBitmap();
            Memory bitmap = new Memory(padded.length);
            buffers.add(bitmap);
            bitmap.write(0, padded, 0, padded.length);
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
