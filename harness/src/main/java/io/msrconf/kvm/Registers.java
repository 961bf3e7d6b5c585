package io.msrconf.kvm;

import java.nio.ByteBuffer;
import io.msrconf.kvm.uapi.KvmLayouts;

/** {@code struct kvm_regs}; the components are in the struct's order, u64 each. */
public record Registers(long rax, long rbx, long rcx, long rdx, long rsi, long rdi, long rsp, long rbp,
                        long r8, long r9, long r10, long r11, long r12, long r13, long r14, long r15,
                        long rip, long rflags) {

    private static final String[] NAMES = {
        "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rsp", "rbp",
        "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rip", "rflags",
    };

    /** All zero: a start from which the withers set what a guest entry needs. */
    public static Registers zero() {
        return new Registers(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }

    /** From a {@code struct kvm_regs} (little-endian, {@link KvmLayouts.Regs#SIZE} bytes from the buffer's position 0). */
    public static Registers decode(ByteBuffer struct) {
        long[] v = new long[KvmLayouts.Regs.COUNT];
        for (int i = 0; i < v.length; i++) {
            v[i] = struct.getLong(8 * i);
        }
        return new Registers(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7],
                v[8], v[9], v[10], v[11], v[12], v[13], v[14], v[15], v[16], v[17]);
    }

    /** Into a {@code struct kvm_regs} (little-endian, from the buffer's position 0). */
    public void encode(ByteBuffer struct) {
        long[] v = toArray();
        for (int i = 0; i < v.length; i++) {
            struct.putLong(8 * i, v[i]);
        }
    }

    public Registers withRip(long newRip) {
        return new Registers(rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp, r8, r9, r10, r11, r12, r13, r14, r15,
                newRip, rflags);
    }

    public Registers withRsp(long newRsp) {
        return new Registers(rax, rbx, rcx, rdx, rsi, rdi, newRsp, rbp, r8, r9, r10, r11, r12, r13, r14, r15,
                rip, rflags);
    }

    public Registers withRdi(long newRdi) {
        return new Registers(rax, rbx, rcx, rdx, rsi, newRdi, rsp, rbp, r8, r9, r10, r11, r12, r13, r14, r15,
                rip, rflags);
    }

    public Registers withRflags(long newRflags) {
        return new Registers(rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp, r8, r9, r10, r11, r12, r13, r14, r15,
                rip, newRflags);
    }

    /** Four registers a line, in struct order, as 16-digit hex. */
    public String describe() {
        long[] v = toArray();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < v.length; i++) {
            sb.append(i == 0 ? "" : i % 4 == 0 ? "\n" : "  ")
              .append(String.format("%-6s 0x%016x", NAMES[i], v[i]));
        }
        return sb.toString();
    }

    private long[] toArray() {
        return new long[] {rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp, r8, r9, r10, r11, r12, r13, r14, r15, rip, rflags};
    }
}
