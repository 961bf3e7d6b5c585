package io.msrconf.emu.cpu;

import java.util.Arrays;

/**
 * Why {@link Cpu#run} returned. Each kind names what KVM_RUN would have reported; {@link #describe()}
 * is the one-line form for failure messages.
 */
public sealed interface CpuExit {

    String describe();

    /**
     * The guest executed OUT (KVM_EXIT_IO, direction out). RIP still points at the OUT, as KVM leaves
     * it during the exit; the next run resumes after it.
     */
    record PortOut(int port, int size, long value) implements CpuExit {
        @Override
        public String describe() {
            return String.format("OUT of %d byte(s) 0x%x to port 0x%x", size, value, port);
        }
    }

    /**
     * The guest executed IN (KVM_EXIT_IO, direction in). The value comes from
     * {@link Cpu#completePortIn(long)} before the next run, which then resumes after the IN.
     */
    record PortIn(int port, int size) implements CpuExit {
        @Override
        public String describe() {
            return String.format("IN of %d byte(s) from port 0x%x", size, port);
        }
    }

    /**
     * RDMSR or WRMSR went to userspace (KVM_EXIT_X86_RDMSR / WRMSR). The next run completes the
     * instruction from {@link Cpu#completeMsrExit(int, long)}.
     */
    record MsrExit(boolean write, int index, int reason, long data) implements CpuExit {
        @Override
        public String describe() {
            return String.format("%s exit for MSR 0x%x (reason %d, data 0x%x)", write ? "WRMSR" : "RDMSR", index, reason, data);
        }
    }

    /** The CPU shut down (KVM_EXIT_SHUTDOWN): a fault while delivering a double fault, the triple fault. */
    record Shutdown(String why) implements CpuExit {
        @Override
        public String describe() {
            return "shutdown (triple fault): " + why;
        }
    }

    /**
     * The guest touched guest-physical memory that no RAM backs (KVM_EXIT_MMIO for data accesses). The
     * emulator has no devices there, so the run cannot go on: running again retries the same access.
     */
    record MmioAccess(long gpa, boolean write, int size) implements CpuExit {
        @Override
        public String describe() {
            return String.format("%s of %d byte(s) at guest physical 0x%x, which no RAM backs", write ? "write" : "read", size, gpa);
        }
    }

    /** The run executed its whole instruction budget; running again continues where it stopped. */
    record BudgetExhausted(long executed) implements CpuExit {
        @Override
        public String describe() {
            return "instruction budget exhausted after " + executed + " instructions";
        }
    }

    /**
     * The next instruction is one this interpreter does not execute. Nothing of it was executed; RIP
     * points at it. {@code mnemonic} is objdump's name where the decoder knows it, else "unknown".
     */
    record Unimplemented(long rip, byte[] bytes, String mnemonic) implements CpuExit {
        public Unimplemented {
            bytes = bytes.clone();
        }

        @Override
        public byte[] bytes() {
            return bytes.clone();
        }

        @Override
        public String describe() {
            return String.format("unimplemented instruction at 0x%x: %s (%s)", rip, hex(bytes), mnemonic);
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

    /** The guest executed HLT; RIP points after it (KVM_EXIT_HLT). Payloads never halt, so this is a guest bug. */
    record Halted(long rip) implements CpuExit {
        @Override
        public String describe() {
            return String.format("HLT executed; RIP 0x%x", rip);
        }
    }

    /** "0f 32" for {0x0f, 0x32}. */
    static String hex(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (byte b : bytes) {
            sb.append(sb.length() == 0 ? "" : " ").append(String.format("%02x", b & 0xff));
        }
        return sb.toString();
    }
}
