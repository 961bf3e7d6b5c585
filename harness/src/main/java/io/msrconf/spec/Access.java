package io.msrconf.spec;

/**
 * One guest MSR access of a run step and what must happen to it: at most one userspace exit
 * ({@code exit == null}: none may happen) and the guest's final outcome.
 */
public record Access(MsrOp op, int index, long value, ExpectedExit exit, GuestExpectation guest, SourceRef source) {

    /** "RDMSR(0x10)" or "WRMSR(0x10, 0x1)": how failure messages name the access. */
    public String describe() {
        return op == MsrOp.RDMSR ? "RDMSR(0x" + Integer.toHexString(index) + ")"
                : "WRMSR(0x" + Integer.toHexString(index) + ", 0x" + Long.toHexString(value) + ")";
    }
}
