package io.msrconf.backend;

import io.msrconf.abi.ExitReason;
import io.msrconf.spec.MsrOp;

/** A KVM_EXIT_X86_RDMSR/WRMSR as userspace saw it: reason bits, MSR index and data, as raw as KVM gave them. */
public record MsrExit(MsrOp op, int reason, int index, long data) {

    public String describe() {
        // Concatenation, not String.format: the fuzz campaign renders this for every access it compares.
        return op + " exit reason " + ExitReason.nameOf(reason) + " index 0x" + Integer.toHexString(index)
                + " data 0x" + Long.toHexString(data);
    }
}
