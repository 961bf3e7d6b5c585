package io.msrconf.backend;

import io.msrconf.abi.Vectors;

/** How a guest run ended. Only {@link Reported} is a normal end; the others carry what a developer needs. */
public sealed interface RunEnd {

    String describe();

    /** The payload reported REPORT_DONE: every entry of the script ran. */
    record Reported() implements RunEnd {
        @Override
        public String describe() {
            return "the guest reported completion";
        }
    }

    /**
     * The step's last access exited to userspace and the case leaves the vCPU in that exit, unanswered,
     * until a continue step (the access's exit names the pause): a normal end for such a step.
     */
    record InExit(MsrExit exit, String pause) implements RunEnd {
        @Override
        public String describe() {
            return "the vCPU waits in the exit (" + exit.describe() + ") at pause '" + pause + "'";
        }
    }

    /** A continue step found no guest to resume: the step it continues did not leave the guest paused. */
    record NotResumed(String why) implements RunEnd {
        @Override
        public String describe() {
            return "the guest could not be resumed: " + why;
        }
    }

    /**
     * KVM_RUN returned an error while the guest's entry counter stood at {@code entry} (guest-written, untrusted):
     * a normal end only for an access that expects it ({@link io.msrconf.spec.GuestExpectation.KvmRunFails}).
     */
    record KvmRunFailed(int errno, long entry) implements RunEnd {
        @Override
        public String describe() {
            return "KVM_RUN failed with " + io.msrconf.abi.Errno.describe(errno) + " at script entry " + entry;
        }
    }

    /**
     * KVM_RUN returned KVM_EXIT_INTERNAL_ERROR with suberror KVM_INTERNAL_ERROR_EMULATION while the guest's entry counter
     * stood at {@code entry} (guest-written, untrusted): KVM's instruction emulator gave up. A normal end only for an
     * access that expects it ({@link io.msrconf.spec.GuestExpectation.EmulationFails}).
     */
    record EmulationFailed(long entry, java.util.List<Long> data) implements RunEnd {
        public EmulationFailed {
            data = java.util.List.copyOf(data);
        }

        @Override
        public String describe() {
            return "KVM's instruction emulator failed (KVM_EXIT_INTERNAL_ERROR, KVM_INTERNAL_ERROR_EMULATION) at script entry " + entry
                    + (data.isEmpty() ? "" : ", data " + data.stream().map(d -> String.format("0x%x", d)).toList());
        }
    }

    /** The guest did not report back before the deadline. */
    record TimedOut(long deadlineMillis, int exits) implements RunEnd {
        @Override
        public String describe() {
            return "the guest did not report back within " + deadlineMillis + " ms (" + exits + " exits seen)";
        }
    }

    /** An exception outside any MSR access: a payload or harness bug (guest ABI REPORT_UNEXPECTED). */
    record UnexpectedException(int vector, long rip, long errorCode, String symbol) implements RunEnd {
        @Override
        public String describe() {
            return String.format("the guest took an unexpected %s at RIP 0x%x (%s), error code 0x%x",
                    Vectors.name(vector), rip, symbol, errorCode);
        }
    }

    /** The VM stopped in a way the harness cannot continue from (shutdown, failed entry, internal error, ...). */
    record Crashed(String reason, String registers) implements RunEnd {
        @Override
        public String describe() {
            return reason + "\n" + registers;
        }
    }
}
