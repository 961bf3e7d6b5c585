package io.msrconf.spec;

import io.msrconf.guest.MsrScriptTable;

/**
 * One guest MSR access of a run step and what must happen to it: at most one userspace exit
 * ({@code exit == null}: none may happen) and the guest's final outcome. For {@link MsrOp#FEP_RDTSC}
 * {@code index} is the MSR the instruction reads as a side effect, IA32_TSC.
 */
public record Access(MsrOp op, int index, long value, ExpectedExit exit, GuestExpectation guest, SourceRef source) {

    /** The script table entry that makes the guest perform this access. */
    public MsrScriptTable.Entry scriptEntry() {
        return new MsrScriptTable.Entry(op.scriptCode, index, value);
    }

    /** "RDMSR(0x10)", "WRMSR(0x10, 0x1)", "forced-emulated RDMSR(0x10)" or "forced-emulated RDTSC": how failure messages name the access. */
    public String describe() {
        return switch (op) {
            case RDMSR -> "RDMSR(0x" + Integer.toHexString(index) + ")";
            case WRMSR -> "WRMSR(0x" + Integer.toHexString(index) + ", 0x" + Long.toHexString(value) + ")";
            case FEP_RDMSR -> "forced-emulated RDMSR(0x" + Integer.toHexString(index) + ")";
            case FEP_RDTSC -> "forced-emulated RDTSC";
            case FEP_WRMSR -> "forced-emulated WRMSR(0x" + Integer.toHexString(index) + ", 0x" + Long.toHexString(value) + ")";
        };
    }
}
