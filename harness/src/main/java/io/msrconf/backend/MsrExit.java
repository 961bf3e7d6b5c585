package io.msrconf.backend;

import io.msrconf.abi.ExitReason;
import io.msrconf.spec.MsrOp;

/**
 * A KVM_EXIT_X86_RDMSR/WRMSR as userspace saw it: reason bits, MSR index and data, and the error and pad bytes
 * KVM presets to zero, as raw as KVM gave them.
 */
public record MsrExit(MsrOp op, int reason, int index, long data, long errorAndPad) {

    public MsrExit(MsrOp op, int reason, int index, long data) {
        this(op, reason, index, data, 0);
    }

    public String describe() {
        // Concatenation, not String.format: the fuzz campaign renders this for every access it compares.
        return op + " exit reason " + ExitReason.nameOf(reason) + " index 0x" + Integer.toHexString(index)
                + " data 0x" + Long.toHexString(data) + (errorAndPad == 0 ? "" : " error/pad 0x" + Long.toHexString(errorAndPad));
    }
}
