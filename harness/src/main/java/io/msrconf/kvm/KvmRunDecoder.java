package io.msrconf.kvm;

import io.msrconf.abi.KvmExit;
import io.msrconf.kvm.uapi.KvmLayouts;
import io.msrconf.vcpu.VcpuExit;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the start of a {@code struct kvm_run} after KVM_RUN returned 0 into a {@link VcpuExit}. One
 * decoder for every transport: the local one hands in a view of its mapping, the agent the bytes it
 * copied out of its own.
 */
public final class KvmRunDecoder {

    /** How much of kvm_run the decoder reads: the header and the exit union (every field it uses lies below). */
    public static final int HEADER_BYTES = 256;

    /** Where an I/O exit's data lies: kvm_run's data_offset, relative to kvm_run. */
    @FunctionalInterface
    public interface IoData {
        /** Up to the first four bytes at {@code offset} of kvm_run, little-endian; refuses offsets outside the mapping. */
        long read(long offset, int length);
    }

    private KvmRunDecoder() {
    }

    /** @param run kvm_run from its start, little-endian, at least {@link #HEADER_BYTES} long */
    public static VcpuExit decode(ByteBuffer run, IoData io) {
        int reason = run.getInt(KvmLayouts.Run.EXIT_REASON);
        return switch (reason) {
            case KvmExit.KVM_EXIT_IO -> {
                int size = Byte.toUnsignedInt(run.get(KvmLayouts.Run.IO_SIZE));
                yield new VcpuExit.Io(Byte.toUnsignedInt(run.get(KvmLayouts.Run.IO_DIRECTION)) == KvmExit.KVM_EXIT_IO_OUT,
                        Short.toUnsignedInt(run.getShort(KvmLayouts.Run.IO_PORT)), size, run.getInt(KvmLayouts.Run.IO_COUNT),
                        io.read(run.getLong(KvmLayouts.Run.IO_DATA_OFFSET), Math.min(4, Math.max(size, 1))));
            }
            case KvmExit.KVM_EXIT_X86_RDMSR, KvmExit.KVM_EXIT_X86_WRMSR -> new VcpuExit.Msr(reason == KvmExit.KVM_EXIT_X86_WRMSR,
                    run.getInt(KvmLayouts.Run.MSR_REASON), run.getInt(KvmLayouts.Run.MSR_INDEX), run.getLong(KvmLayouts.Run.MSR_DATA),
                    run.getLong(KvmLayouts.Run.MSR_ERROR));
            case KvmExit.KVM_EXIT_INTR -> new VcpuExit.Interrupted();
            case KvmExit.KVM_EXIT_HLT -> new VcpuExit.Hlt();
            case KvmExit.KVM_EXIT_SHUTDOWN -> new VcpuExit.Shutdown("");
            case KvmExit.KVM_EXIT_MMIO -> new VcpuExit.Mmio(run.getLong(KvmLayouts.Run.MMIO_PHYS_ADDR),
                    run.get(KvmLayouts.Run.MMIO_IS_WRITE) != 0, run.getInt(KvmLayouts.Run.MMIO_LEN));
            case KvmExit.KVM_EXIT_FAIL_ENTRY -> new VcpuExit.FailEntry(run.getLong(KvmLayouts.Run.FAIL_ENTRY_HARDWARE_ENTRY_FAILURE_REASON),
                    run.getInt(KvmLayouts.Run.FAIL_ENTRY_CPU));
            case KvmExit.KVM_EXIT_INTERNAL_ERROR -> {
                long ndata = Math.min(Integer.toUnsignedLong(run.getInt(KvmLayouts.Run.INTERNAL_NDATA)), KvmLayouts.Run.INTERNAL_DATA_LENGTH);
                List<Long> data = new ArrayList<>();
                for (int i = 0; i < ndata; i++) {
                    data.add(run.getLong(KvmLayouts.Run.INTERNAL_DATA + 8 * i));
                }
                yield new VcpuExit.InternalError(run.getInt(KvmLayouts.Run.INTERNAL_SUBERROR), data);
            }
            case KvmExit.KVM_EXIT_UNKNOWN -> new VcpuExit.Unknown(run.getLong(KvmLayouts.Run.HW_HARDWARE_EXIT_REASON));
            default -> new VcpuExit.Other(reason);
        };
    }
}
