package io.msrconf.backend;

import io.msrconf.guest.GuestResult;
import io.msrconf.guest.MsrScriptTable;
import io.msrconf.guest.Payload;
import io.msrconf.spec.Access;
import io.msrconf.spec.UserspaceAnswer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One run of the msr_script payload, as every backend does it: the table to write into the guest,
 * which access each userspace MSR exit belongs to and what userspace answers, and the outcome read
 * back from the table. Backends differ only in how they run the guest.
 */
final class ScriptRun {

    private final List<Access> accesses;
    private final List<List<MsrExit>> exits;

    ScriptRun(List<Access> accesses) {
        this.accesses = accesses;
        this.exits = new ArrayList<>(accesses.size());
        for (int i = 0; i < accesses.size(); i++) {
            exits.add(new ArrayList<>(1));
        }
    }

    byte[] table() {
        return MsrScriptTable.encode(accesses);
    }

    int tableSize() {
        return MsrScriptTable.size(accesses.size());
    }

    /**
     * Records an exit seen while the guest's finished-entries counter (guest-written, untrusted) reads
     * {@code completed}, and returns what userspace answers: the case's answer to the first exit of an
     * access that expects one, a refusal otherwise. Empty when no access of the script is running.
     */
    Optional<UserspaceAnswer> onMsrExit(long completed, MsrExit exit) {
        if (completed < 0 || completed >= accesses.size()) {
            return Optional.empty();
        }
        List<MsrExit> seen = exits.get((int) completed);
        seen.add(exit);
        Access a = accesses.get((int) completed);
        return Optional.of(a.exit() != null && seen.size() == 1 ? a.exit().answer() : UserspaceAnswer.REFUSE);
    }

    String describeStrayExit(long completed, MsrExit exit) {
        return "an MSR exit (" + exit.describe() + ") while the guest's entry counter is " + completed + " of " + accesses.size();
    }

    /** The outcome, from the table as the guest left it; an unexpected exception gets its details from the header. */
    StepOutcome.GuestRan finish(byte[] table, RunEnd end, Payload payload) {
        if (end instanceof RunEnd.UnexpectedException) {
            long rip = MsrScriptTable.unexpectedRip(table);
            end = new RunEnd.UnexpectedException(MsrScriptTable.unexpectedVector(table), rip,
                    MsrScriptTable.unexpectedErrorCode(table), payload.symbolize(rip));
        }
        List<GuestResult> results = MsrScriptTable.results(table, accesses.size());
        List<AccessOutcome> outcomes = new ArrayList<>(accesses.size());
        for (int i = 0; i < accesses.size(); i++) {
            outcomes.add(new AccessOutcome(exits.get(i), results.get(i)));
        }
        return new StepOutcome.GuestRan(outcomes, end);
    }
}
