package io.msrconf.spec;

import io.msrconf.abi.ExitReason;

/**
 * An expected KVM_EXIT_X86_RDMSR/WRMSR for one access: the reason, and the data KVM reports
 * (0 for reads, EDX:EAX for writes), and what userspace answers before the next KVM_RUN.
 */
public record ExpectedExit(ExitReason reason, ValueExpectation data, UserspaceAnswer answer) {
}
