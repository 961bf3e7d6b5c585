package io.msrconf.kvm.local;

import com.sun.jna.Pointer;
import io.msrconf.kvm.uapi.KvmLayouts;

/**
 * The fields of a vCPU's mmap'd {@code struct kvm_run} that userspace writes (immediate_exit, and the
 * answer to an MSR exit), and raw reads for tests. The exit itself is decoded by
 * {@link io.msrconf.kvm.KvmRunDecoder} from a buffer over the same mapping. Nothing is copied.
 */
public final class KvmRun {

    private final LocalVcpu vcpu;
    private final Pointer run;
    private final long size;

    KvmRun(LocalVcpu vcpu, Pointer run, long size) {
        this.vcpu = vcpu;
        this.run = run;
        this.size = size;
    }

    public int exitReason() {
        return p().getInt(KvmLayouts.Run.EXIT_REASON);
    }

    public boolean immediateExit() {
        return p().getByte(KvmLayouts.Run.IMMEDIATE_EXIT) != 0;
    }

    /** When set, the next KVM_RUN returns EINTR at once instead of entering the guest. */
    public void setImmediateExit(boolean on) {
        p().setByte(KvmLayouts.Run.IMMEDIATE_EXIT, (byte) (on ? 1 : 0));
    }

    /** 0 completes the access (a read returns msr.data); anything else injects #GP. */
    void setMsrError(int error) {
        p().setByte(KvmLayouts.Run.MSR_ERROR, (byte) error);
    }

    void setMsrData(long data) {
        p().setLong(KvmLayouts.Run.MSR_DATA, data);
    }

    /** Up to eight bytes of I/O data at {@code offset} (kvm_run's io.data_offset), little-endian. */
    long ioData(long offset, int length) {
        if (offset < 0 || length < 0 || length > 8 || offset > size - length) {
            throw new IllegalStateException(String.format(
                    "kvm_run io.data_offset 0x%x (+%d) is outside the %d-byte kvm_run mapping", offset, length, size));
        }
        long value = 0;
        for (int i = length - 1; i >= 0; i--) {
            value = value << 8 | Byte.toUnsignedLong(p().getByte(offset + i));
        }
        return value;
    }

    private Pointer p() {
        vcpu.checkOpen();
        return run;
    }
}
