package io.msrconf.kvm;

import com.sun.jna.Pointer;
import io.msrconf.abi.KvmExit;
import io.msrconf.kvm.sys.KvmIoctls;
import io.msrconf.kvm.sys.KvmLayouts;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * A view over a vCPU's mmap'd {@code struct kvm_run}: the accessors read and write the shared page
 * directly, nothing is copied, so a run loop allocates nothing. Which accessors mean anything
 * depends on {@link #exitReason()}; the others read whatever the union holds.
 */
public final class KvmRun {

    private final Vcpu vcpu;
    private final Pointer run;
    private final long size;

    KvmRun(Vcpu vcpu, Pointer run, long size) {
        this.vcpu = vcpu;
        this.run = run;
        this.size = size;
    }

    public int exitReason() {
        return p().getInt(KvmLayouts.Run.EXIT_REASON);
    }

    public String exitReasonName() {
        return KvmExit.name(exitReason());
    }

    public boolean immediateExit() {
        return p().getByte(KvmLayouts.Run.IMMEDIATE_EXIT) != 0;
    }

    /** When set, the next KVM_RUN returns EINTR at once instead of entering the guest. */
    public void setImmediateExit(boolean on) {
        p().setByte(KvmLayouts.Run.IMMEDIATE_EXIT, (byte) (on ? 1 : 0));
    }

    /** {@link KvmIoctls#KVM_EXIT_IO_IN} or {@link KvmIoctls#KVM_EXIT_IO_OUT}. */
    public int ioDirection() {
        return Byte.toUnsignedInt(p().getByte(KvmLayouts.Run.IO_DIRECTION));
    }

    /** Bytes per access: 1, 2 or 4. */
    public int ioSize() {
        return Byte.toUnsignedInt(p().getByte(KvmLayouts.Run.IO_SIZE));
    }

    public int ioPort() {
        return Short.toUnsignedInt(p().getShort(KvmLayouts.Run.IO_PORT));
    }

    /** Repetitions (string I/O); 1 for a plain IN or OUT. */
    public int ioCount() {
        return p().getInt(KvmLayouts.Run.IO_COUNT);
    }

    /** Where the I/O data lies, relative to the start of kvm_run. */
    public long ioDataOffset() {
        return p().getLong(KvmLayouts.Run.IO_DATA_OFFSET);
    }

    /** The first four bytes of the I/O data (an OUT's value, or where an IN's answer goes). */
    public int ioDataU32() {
        long offset = ioDataOffset();
        if (offset < 0 || offset > size - 4) {
            throw new IllegalStateException(String.format(
                    "kvm_run io.data_offset 0x%x is outside the %d-byte kvm_run mapping", offset, size));
        }
        return run.getInt(offset);
    }

    public int msrError() {
        return Byte.toUnsignedInt(p().getByte(KvmLayouts.Run.MSR_ERROR));
    }

    /** 0 completes the access (a read returns {@link #msrData()}); anything else injects #GP. */
    public void setMsrError(int error) {
        p().setByte(KvmLayouts.Run.MSR_ERROR, (byte) error);
    }

    /** One of {@code KVM_MSR_EXIT_REASON_*}. */
    public int msrReason() {
        return p().getInt(KvmLayouts.Run.MSR_REASON);
    }

    public int msrIndex() {
        return p().getInt(KvmLayouts.Run.MSR_INDEX);
    }

    /** EDX:EAX of a WRMSR; for RDMSR, what userspace answers. */
    public long msrData() {
        return p().getLong(KvmLayouts.Run.MSR_DATA);
    }

    public void setMsrData(long data) {
        p().setLong(KvmLayouts.Run.MSR_DATA, data);
    }

    public long failEntryReason() {
        return p().getLong(KvmLayouts.Run.FAIL_ENTRY_HARDWARE_ENTRY_FAILURE_REASON);
    }

    public int failEntryCpu() {
        return p().getInt(KvmLayouts.Run.FAIL_ENTRY_CPU);
    }

    /** For KVM_EXIT_UNKNOWN: the hardware's exit reason. */
    public long hardwareExitReason() {
        return p().getLong(KvmLayouts.Run.HW_HARDWARE_EXIT_REASON);
    }

    /** One of {@code KVM_INTERNAL_ERROR_*}. */
    public int internalSuberror() {
        return p().getInt(KvmLayouts.Run.INTERNAL_SUBERROR);
    }

    /** The suberror's data words, as many as ndata says and the struct holds. */
    public long[] internalData() {
        int ndata = (int) Math.min(Integer.toUnsignedLong(p().getInt(KvmLayouts.Run.INTERNAL_NDATA)),
                KvmLayouts.Run.INTERNAL_DATA_LENGTH);
        return run.getLongArray(KvmLayouts.Run.INTERNAL_DATA, ndata);
    }

    /** The exit in one line, with the fields that matter for its reason. */
    public String describe() {
        int reason = exitReason();
        String name = KvmExit.name(reason);
        return switch (reason) {
            case KvmExit.KVM_EXIT_IO -> String.format("%s %s port=0x%x size=%d count=%d", name,
                    ioDirection() == KvmExit.KVM_EXIT_IO_OUT ? "out" : "in", ioPort(), ioSize(), ioCount());
            case KvmExit.KVM_EXIT_X86_RDMSR, KvmExit.KVM_EXIT_X86_WRMSR -> String.format(
                    "%s reason=%d index=0x%x data=0x%x", name, msrReason(), msrIndex(), msrData());
            case KvmExit.KVM_EXIT_FAIL_ENTRY -> String.format("%s hardware_entry_failure_reason=0x%x cpu=%d",
                    name, failEntryReason(), failEntryCpu());
            case KvmExit.KVM_EXIT_INTERNAL_ERROR -> String.format("%s suberror=%d data=%s", name,
                    internalSuberror(), hex(internalData()));
            case KvmExit.KVM_EXIT_UNKNOWN -> String.format("%s hardware_exit_reason=0x%x", name,
                    hardwareExitReason());
            default -> name;
        };
    }

    private static String hex(long[] values) {
        return Arrays.stream(values).mapToObj(v -> "0x" + Long.toHexString(v)).collect(Collectors.joining(", ", "[", "]"));
    }

    private Pointer p() {
        vcpu.checkOpen();
        return run;
    }
}
