package io.msrconf.backend;

import io.msrconf.guest.GuestResult;
import io.msrconf.guest.MsrScriptTable;
import io.msrconf.guest.Payload;
import io.msrconf.spec.Access;
import io.msrconf.spec.Step;
import io.msrconf.spec.UserspaceAnswer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One guest's msr_script, as every backend runs it: from a run step through the continue steps that
 * resume it. It holds the table to write into the guest (the whole table at the start, the appended
 * entries at each continue), which access each userspace MSR exit belongs to and what userspace
 * answers, and each step's outcome read back from the table. Backends differ only in how they run the guest.
 */
final class ScriptRun {

    /** What the run loop does with an MSR exit. */
    sealed interface Reply {
        /** Complete the exit with this answer and run on. */
        record Answer(UserspaceAnswer answer) implements Reply {
        }

        /** Leave the vCPU in the exit: the step pauses there, and the continue step answers it. */
        record Pause(UserspaceAnswer answer, String name) implements Reply {
        }

        /** No access of the script is running: the exit is stray. */
        record Stray() implements Reply {
        }
    }

    private final List<Access> accesses = new ArrayList<>();
    private final List<List<MsrExit>> exits = new ArrayList<>();
    /** The first access of the current step. */
    private int stepStart;
    /** The access whose first exit ends the current step, or null. */
    private Access pausesInExit;

    /** Adds a step's accesses after those of the steps before it; returns the new entries. */
    List<MsrScriptTable.Entry> begin(Step.RunGuest step) {
        stepStart = accesses.size();
        pausesInExit = step.pausedInExit();
        accesses.addAll(step.accesses());
        for (int i = 0; i < step.accesses().size(); i++) {
            exits.add(new ArrayList<>(1));
        }
        return step.accesses().stream().map(Access::scriptEntry).toList();
    }

    /** The first entry of the current step. */
    int stepStart() {
        return stepStart;
    }

    /** How many entries the table holds. */
    int count() {
        return accesses.size();
    }

    int tableSize() {
        return MsrScriptTable.size(accesses.size());
    }

    /**
     * Records an exit seen while the guest's finished-entries counter (guest-written, untrusted) reads
     * {@code completed}, and says what userspace does: the case's answer to the first exit of an access
     * that expects one (or a pause, when the step ends in that exit), a refusal otherwise.
     */
    Reply onMsrExit(long completed, MsrExit exit) {
        if (completed < 0 || completed >= accesses.size()) {
            return new Reply.Stray();
        }
        List<MsrExit> seen = exits.get((int) completed);
        seen.add(exit);
        Access a = accesses.get((int) completed);
        if (a.exit() == null || seen.size() != 1) {
            return new Reply.Answer(UserspaceAnswer.REFUSE);
        }
        return a == pausesInExit ? new Reply.Pause(a.exit().answer(), a.exit().pause()) : new Reply.Answer(a.exit().answer());
    }

    String describeStrayExit(long completed, MsrExit exit) {
        return "an MSR exit (" + exit.describe() + ") while the guest's entry counter is " + completed + " of " + accesses.size();
    }

    /**
     * The current step's outcome, from the table as the guest left it: its own accesses, and, when it
     * resumed the guest from inside an MSR exit, that access too. An unexpected exception gets its details
     * from the header.
     */
    StepOutcome.GuestRan finish(byte[] table, RunEnd end, Payload payload, boolean resumedFromExit, Map<Integer, String> unmodelled) {
        if (end instanceof RunEnd.UnexpectedException) {
            long rip = MsrScriptTable.unexpectedRip(table);
            end = new RunEnd.UnexpectedException(MsrScriptTable.unexpectedVector(table), rip,
                    MsrScriptTable.unexpectedErrorCode(table), payload.symbolize(rip));
        }
        List<GuestResult> results = MsrScriptTable.results(table, accesses.size());
        List<AccessOutcome> outcomes = new ArrayList<>(accesses.size() - stepStart);
        for (int i = stepStart; i < accesses.size(); i++) {
            GuestResult result = end instanceof RunEnd.KvmRunFailed f && f.entry() == i ? new GuestResult.KvmRunFailed(f.errno())
                    : end instanceof RunEnd.EmulationFailed e && e.entry() == i ? new GuestResult.EmulationFailed() : results.get(i);
            outcomes.add(new AccessOutcome(exits.get(i), result, unmodelled.get(i)));
        }
        AccessOutcome resumed = resumedFromExit && stepStart > 0
                ? new AccessOutcome(exits.get(stepStart - 1), results.get(stepStart - 1), unmodelled.get(stepStart - 1)) : null;
        return new StepOutcome.GuestRan(outcomes, end, resumed);
    }

    /** The outcome of a continue step that could not resume the guest: nothing of it ran. */
    static StepOutcome.GuestRan notResumed(Step.RunGuest step, String why) {
        List<AccessOutcome> outcomes = step.accesses().stream().map(a -> new AccessOutcome(List.of(), new GuestResult.NotRun())).toList();
        return new StepOutcome.GuestRan(outcomes, new RunEnd.NotResumed(why), null);
    }
}
