package io.msrconf.spec;

import io.msrconf.abi.Vectors;

/**
 * What the guest must end up seeing for one access, after any userspace exit was answered.
 * {@link #describe} reads after "Expected RDMSR(0x10) to ...".
 */
public sealed interface GuestExpectation {

    String describe();

    /** The instruction completes; for RDMSR the value read must match. */
    record Completes(ValueExpectation value) implements GuestExpectation {
        @Override
        public String describe() {
            return value.isAny() ? "complete" : "complete with " + value.describe();
        }
    }

    /** The instruction raises this exception vector (13 = #GP). */
    record Faults(int vector) implements GuestExpectation {
        public static final int GP = 13;

        @Override
        public String describe() {
            return "fault with " + Vectors.name(vector);
        }
    }

    /**
     * KVM_RUN returns -{@code errno} at this access: a negative error from an MSR handler that no userspace
     * exit takes ("Signal all other negative errors to userspace", kvm_emulate_wrmsr()). The guest never gets
     * past the instruction, so the access ends its step.
     */
    record KvmRunFails(int errno) implements GuestExpectation {
        @Override
        public String describe() {
            return "make KVM_RUN fail with " + io.msrconf.abi.Errno.describe(errno);
        }
    }
}
