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
}
