package io.msrconf.guest;

import io.msrconf.abi.Vectors;

/** What the guest recorded for one script entry (guest ABI: ENT_OUTCOME, ENT_RESULT, ENT_VECTOR, ENT_ERROR). */
public sealed interface GuestResult {

    String describe();

    record Completed(long value) implements GuestResult {
        @Override
        public String describe() {
            return "completed with value 0x" + Long.toHexString(value);
        }
    }

    record Faulted(int vector, int errorCode) implements GuestResult {
        @Override
        public String describe() {
            return "faulted with " + Vectors.name(vector) + (errorCode != 0 ? String.format(" (error code 0x%x)", errorCode) : "");
        }
    }

    /**
     * KVM_RUN returned this errno while the guest was at this entry: the guest never finished it. Not written by
     * the guest: the run loop marks the entry its counter stood at.
     */
    record KvmRunFailed(int errno) implements GuestResult {
        @Override
        public String describe() {
            return "made KVM_RUN fail with " + io.msrconf.abi.Errno.describe(errno);
        }
    }

    /**
     * KVM's instruction emulator gave up on this entry (KVM_EXIT_INTERNAL_ERROR, suberror KVM_INTERNAL_ERROR_EMULATION):
     * the guest never finished it. Marked by the run loop, like {@link KvmRunFailed}.
     */
    record EmulationFailed() implements GuestResult {
        @Override
        public String describe() {
            return "made KVM's instruction emulator fail (KVM_EXIT_INTERNAL_ERROR, KVM_INTERNAL_ERROR_EMULATION)";
        }
    }

    /** The run ended before the guest reached this entry. */
    record NotRun() implements GuestResult {
        @Override
        public String describe() {
            return "never ran";
        }
    }

    /** The guest wrote an outcome code the ABI does not define: guest memory is untrusted, so this is data. */
    record Garbled(int outcomeCode) implements GuestResult {
        @Override
        public String describe() {
            return "left an invalid outcome code " + outcomeCode + " in the script table";
        }
    }
}
