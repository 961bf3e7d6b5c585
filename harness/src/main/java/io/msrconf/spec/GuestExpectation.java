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

    /**
     * KVM's instruction emulator gives up on this access: KVM_RUN returns KVM_EXIT_INTERNAL_ERROR with suberror
     * KVM_INTERNAL_ERROR_EMULATION (handle_emulation_failure(), for a guest at CPL 0), e.g. a negative error from an MSR
     * handler under forced emulation ("if (r < 0) return X86EMUL_UNHANDLEABLE;"). Only an access behind KVM's
     * forced-emulation prefix can get there. KVM has queued a #UD for the guest, so the access ends its step and its guest.
     */
    record EmulationFails() implements GuestExpectation {
        @Override
        public String describe() {
            return "make KVM's instruction emulator fail (KVM_EXIT_INTERNAL_ERROR, KVM_INTERNAL_ERROR_EMULATION)";
        }
    }

    /** Whether the guest never gets past this access, so it must end its step: KVM_RUN fails or the emulation does. */
    default boolean endsTheGuest() {
        return this instanceof KvmRunFails || this instanceof EmulationFails;
    }
}
