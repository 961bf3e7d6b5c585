package io.msrconf.backend;

import java.util.List;

/**
 * What a backend observed while running a case: one outcome per step, in order. Both backends return
 * this type, so the verdict never depends on which backend ran.
 */
public record Observation(String backend, List<StepOutcome> steps) {

    public Observation {
        steps = List.copyOf(steps);
    }

    /**
     * Whether every guest run ended with the guest's own report (done, or an unexpected exception it
     * reported): the vCPU is then between instructions, with no MSR exit pending and no kick in flight.
     */
    public boolean endedAtRest() {
        return steps.stream().allMatch(s -> !(s instanceof StepOutcome.GuestRan ran)
                || ran.end() instanceof RunEnd.Reported || ran.end() instanceof RunEnd.UnexpectedException);
    }
}
