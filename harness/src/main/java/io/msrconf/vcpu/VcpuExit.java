package io.msrconf.vcpu;

import io.msrconf.abi.ExitReason;
import io.msrconf.abi.KvmExit;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * Why a vCPU stopped running the guest: what KVM_RUN reported, or what the emulator reports in its
 * place. One record per kind, each with exactly its own fields (rust-vmm's {@code VcpuExit} has the same
 * shape), so a run loop handles every kind once, whichever engine ran the guest.
 */
public sealed interface VcpuExit {

    /** One line for failure messages. */
    String describe();

    /**
     * KVM_EXIT_IO: an IN or OUT. {@code data} holds the first (up to) four bytes of the data, which is
     * all an OUT of the guest ABI carries; RIP points after the instruction once the vCPU runs again.
     */
    record Io(boolean out, int port, int size, int count, long data) implements VcpuExit {
        @Override
        public String describe() {
            return String.format("KVM_EXIT_IO %s port=0x%x size=%d count=%d data=0x%x", out ? "out" : "in", port, size, count, data);
        }
    }

    /**
     * KVM_EXIT_X86_RDMSR or KVM_EXIT_X86_WRMSR: the access went to userspace with this reason, index and
     * data (0 for reads, EDX:EAX for writes). The vCPU completes it on its next run, with what userspace
     * answered before. {@code errorAndPad}: kvm_run.msr's u8 error and pad[7] as KVM left them, little-endian
     * (kvm_msr_user_space() presets them: "vcpu->run->msr.error = 0; memset(vcpu->run->msr.pad, 0, ...)").
     */
    record Msr(boolean write, int reason, int index, long data, long errorAndPad) implements VcpuExit {

        /** An exit whose error and pad bytes are the zeros KVM presets (the model's). */
        public Msr(boolean write, int reason, int index, long data) {
            this(write, reason, index, data, 0);
        }

        @Override
        public String describe() {
            return String.format("%s reason=%s index=0x%x data=0x%x", write ? "KVM_EXIT_X86_WRMSR" : "KVM_EXIT_X86_RDMSR",
                    ExitReason.nameOf(reason), index, data);
        }
    }

    /**
     * The run stopped before the guest exited: KVM_RUN returned EINTR (a deadline or a kick), or the
     * emulator spent its instruction slice. Running again continues where the guest was.
     */
    record Interrupted() implements VcpuExit {
        @Override
        public String describe() {
            return "interrupted (EINTR)";
        }
    }

    /** KVM_EXIT_HLT. Payloads never halt: with an in-kernel irqchip KVM would block, so this is a guest bug. */
    record Hlt() implements VcpuExit {
        @Override
        public String describe() {
            return "KVM_EXIT_HLT";
        }
    }

    /** KVM_EXIT_SHUTDOWN: a triple fault. {@code why} is what the emulator knows about it; KVM tells nothing. */
    record Shutdown(String why) implements VcpuExit {
        @Override
        public String describe() {
            return "KVM_EXIT_SHUTDOWN" + (why.isEmpty() ? "" : " (" + why + ")");
        }
    }

    /** KVM_EXIT_MMIO: a data access to guest-physical memory that no memory slot backs. */
    record Mmio(long gpa, boolean write, int size) implements VcpuExit {
        @Override
        public String describe() {
            return String.format("KVM_EXIT_MMIO %s of %d byte(s) at guest physical 0x%x", write ? "write" : "read", size, gpa);
        }
    }

    /** KVM_EXIT_FAIL_ENTRY: the hardware refused to enter the guest. */
    record FailEntry(long hardwareReason, int cpu) implements VcpuExit {
        @Override
        public String describe() {
            return String.format("KVM_EXIT_FAIL_ENTRY hardware_entry_failure_reason=0x%x cpu=%d", hardwareReason, cpu);
        }
    }

    /** KVM_EXIT_INTERNAL_ERROR with its suberror ({@code KVM_INTERNAL_ERROR_*}) and data words. */
    record InternalError(int suberror, List<Long> data) implements VcpuExit {
        /** include/uapi/linux/kvm.h: "#define KVM_INTERNAL_ERROR_EMULATION	1" ("Emulate instruction failed."). */
        public static final int EMULATION = 1;

        public InternalError {
            data = List.copyOf(data);
        }

        @Override
        public String describe() {
            return "KVM_EXIT_INTERNAL_ERROR suberror=" + suberror + " data="
                    + data.stream().map(v -> "0x" + Long.toHexString(v)).toList();
        }
    }

    /** KVM_EXIT_UNKNOWN with the hardware's exit reason. */
    record Unknown(long hardwareReason) implements VcpuExit {
        @Override
        public String describe() {
            return String.format("KVM_EXIT_UNKNOWN hardware_exit_reason=0x%x", hardwareReason);
        }
    }

    /** Any other KVM_EXIT_* the harness never expects (a debug exit, a system event, ...). */
    record Other(int exitReason) implements VcpuExit {
        @Override
        public String describe() {
            return KvmExit.name(exitReason);
        }
    }

    /** KVM_RUN itself failed with this errno (other than EINTR). */
    record RunFailed(int errno) implements VcpuExit {
        @Override
        public String describe() {
            return "KVM_RUN failed with " + io.msrconf.abi.Errno.describe(errno);
        }
    }

    /**
     * The emulator's own: the next instruction is one it does not execute (nothing of it ran; RIP
     * points at it). {@code mnemonic} is objdump's name where the decoder knows it, else "unknown".
     */
    record Unimplemented(long rip, byte[] bytes, String mnemonic) implements VcpuExit {
        public Unimplemented {
            bytes = bytes.clone();
        }

        @Override
        public byte[] bytes() {
            return bytes.clone();
        }

        @Override
        public String describe() {
            return String.format("unimplemented instruction at 0x%x: %s (%s)", rip, HexFormat.ofDelimiter(" ").formatHex(bytes), mnemonic);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Unimplemented u && u.rip == rip && Arrays.equals(u.bytes, bytes) && u.mnemonic.equals(mnemonic);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(rip) * 31 + Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return "Unimplemented[" + describe() + "]";
        }
    }
}
