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
