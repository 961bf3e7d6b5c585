package io.msrconf.backend;

import io.msrconf.spec.ExitReason;
import io.msrconf.spec.MsrOp;

/** A KVM_EXIT_X86_RDMSR/WRMSR as userspace saw it: reason bits, MSR index and data, as raw as KVM gave them. */
public record MsrExit(MsrOp op, int reason, int index, long data) {

    public String describe() {
        return String.format("%s exit reason %s index 0x%x data 0x%x",
                op, ExitReason.nameOf(reason), index, data);
    }
}
