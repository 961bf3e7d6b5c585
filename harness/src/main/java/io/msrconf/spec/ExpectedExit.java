package io.msrconf.spec;

import io.msrconf.abi.ExitReason;

/**
 * An expected KVM_EXIT_X86_RDMSR/WRMSR for one access: the reason, and the data KVM reports
 * (0 for reads, EDX:EAX for writes), and what userspace answers before the next KVM_RUN. With a
 * {@code pause} name the vCPU is left in the exit at the end of its step, and the answer is given
 * only when a continue step resumes from that point.
 */
public record ExpectedExit(ExitReason reason, ValueExpectation data, UserspaceAnswer answer, String pause) {

    /** An exit answered at once. */
    public ExpectedExit(ExitReason reason, ValueExpectation data, UserspaceAnswer answer) {
        this(reason, data, answer, null);
    }
}
