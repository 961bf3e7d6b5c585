package io.msrconf.kvm.agent;

import io.msrconf.filter.BitmapMemory;
import io.msrconf.filter.FilterRange;
import io.msrconf.filter.MsrFilter;
import io.msrconf.kvm.KvmException;
import io.msrconf.kvm.KvmResult;
import io.msrconf.kvm.KvmVcpu;
import io.msrconf.kvm.KvmVm;
import io.msrconf.kvm.uapi.KvmLayouts;
import io.msrconf.vcpu.GuestMemory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** A VM in the guest's KVM: its fd is the agent's, its memory the agent's mapping. */
final class AgentVm implements KvmVm {

    private final AgentKvm kvm;
    private final int fd;
    private final List<AgentVcpu> vcpus = new ArrayList<>();
    private AgentMemory memory;
    private boolean closed;

    AgentVm(AgentKvm kvm, int fd) {
        this.kvm = kvm;
        this.fd = fd;
    }

    @Override
    public void createIrqchip() {
        kvm.call("KVM_CREATE_IRQCHIP", Op.CREATE_IRQCHIP, fd(), AgentKvm.empty()).orThrow("KVM_CREATE_IRQCHIP");
    }

    @Override
    public int checkExtension(int cap) {
        return kvm.call("KVM_CHECK_EXTENSION", Op.CHECK_EXTENSION, fd(), AgentKvm.payload(4).putInt(cap).flip())
                .orThrow("KVM_CHECK_EXTENSION");
    }

    @Override
    public KvmResult enableCapWithFlags(int cap, int flags, long... args) {
        if (args.length > KvmLayouts.EnableCap.ARGS_LENGTH) {
            throw new IllegalArgumentException("kvm_enable_cap takes " + KvmLayouts.EnableCap.ARGS_LENGTH + " arguments, got " + args.length);
        }
        ByteBuffer b = AgentKvm.payload(8 + 8 * KvmLayouts.EnableCap.ARGS_LENGTH).putInt(cap).putInt(flags);
        for (int i = 0; i < KvmLayouts.EnableCap.ARGS_LENGTH; i++) {
            b.putLong(i < args.length ? args[i] : 0);
        }
        return KvmResult.ofReturn(kvm.call("KVM_ENABLE_CAP", Op.ENABLE_CAP, fd(), b.flip()).result());
    }

    @Override
    public GuestMemory mapMemory(long size) {
        if (memory != null) {
            throw new IllegalStateException("guest memory is already mapped (" + memory.size() + " bytes)");
        }
        if (size <= 0 || size % 4096 != 0) {
            throw new IllegalArgumentException("guest memory size must be a positive multiple of 4 KiB, got " + size);
        }
        kvm.call("mmap + KVM_SET_USER_MEMORY_REGION", Op.MAP_MEMORY, fd(), AgentKvm.payload(8).putLong(size).flip())
                .orThrow("mmap + KVM_SET_USER_MEMORY_REGION");
        memory = new AgentMemory(kvm, this, size);
        return memory;
    }

    @Override
    public KvmVcpu createVcpu(int id) {
        int vcpu = kvm.call("KVM_CREATE_VCPU", Op.CREATE_VCPU, fd(), AgentKvm.payload(4).putInt(id).flip()).orThrow("KVM_CREATE_VCPU");
        AgentVcpu v = new AgentVcpu(kvm, this, vcpu, id);
        vcpus.add(v);
        return v;
    }

    /**
     * The filter as the agent places it: per range its fields, the placement and the bytes. A
     * {@link BitmapMemory#VALID_PADDED} bitmap goes padded to what the kernel copies
     * ({@link FilterRange#kernelPaddedBitmap}), exactly as the local transport places it.
     */
    @Override
    public KvmResult setMsrFilter(MsrFilter filter) {
        int size = 8;
        List<byte[]> bitmaps = new ArrayList<>();
        List<Integer> placements = new ArrayList<>();
        for (int i = 0; i < filter.ranges().size(); i++) {
            FilterRange r = filter.ranges().get(i);
            byte[] bytes;
            int placement;
            if (r.bitmap() == null) {
                bytes = new byte[0];
                placement = Op.PLACE_NULL;
            } else {
                placement = switch (filter.bitmapMemory(i)) {
                    case VALID_PADDED -> Op.PLACE_VALID;
                    case SHORT -> Op.PLACE_SHORT;
                    case UNMAPPED -> Op.PLACE_UNMAPPED;
                    case WILD -> Op.PLACE_WILD;
                };
                bytes = placement == Op.PLACE_VALID ? r.kernelPaddedBitmap() : placement == Op.PLACE_SHORT ? r.bitmap() : new byte[0];
            }
            bitmaps.add(bytes);
            placements.add(placement);
            size += 20 + bytes.length;
        }
        ByteBuffer b = AgentKvm.payload(size).putInt(filter.flags()).putInt(filter.ranges().size());
        for (int i = 0; i < filter.ranges().size(); i++) {
            FilterRange r = filter.ranges().get(i);
            b.putInt(r.flags()).putInt(r.nmsrs()).putInt(r.base()).putInt(placements.get(i)).putInt(bitmaps.get(i).length).put(bitmaps.get(i));
        }
        return KvmResult.ofReturn(kvm.call("KVM_X86_SET_MSR_FILTER", Op.SET_MSR_FILTER, fd(), b.flip()).result());
    }

    @Override
    public KvmResult setMsrFilterNullArgument() {
        return KvmResult.ofReturn(kvm.call("KVM_X86_SET_MSR_FILTER(NULL)", Op.SET_MSR_FILTER_NULL, fd(), AgentKvm.empty()).result());
    }

    @Override
    public KvmResult xenHvmConfig(int msr, int blobPages) {
        ByteBuffer b = AgentKvm.payload(5).putInt(msr).put((byte) blobPages);
        return KvmResult.ofReturn(kvm.call("KVM_XEN_HVM_CONFIG", Op.XEN_HVM_CONFIG, fd(), b.flip()).result());
    }

    int fd() {
        if (closed) {
            throw new IllegalStateException("VM is closed");
        }
        return fd;
    }

    boolean closed() {
        return closed;
    }

    /** Closes the VM in the guest, with its vCPUs and memory; a guest that is gone has closed them already. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (kvm.reachable()) {
            try {
                kvm.call("close VM", Op.CLOSE, fd, AgentKvm.empty());
            } catch (KvmException e) {
                // the guest is gone: its fds went with it
            }
        }
    }
}
