package io.msrconf.pipeline;

import io.msrconf.spec.SpecSet;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What to run, as values: the specs as loaded (all of them: known deviations are checked against every
 * id), which cases to run, the known deviations and the backends.
 *
 * @param only               the cases whose id this pattern finds
 * @param ignoreKernelRanges run every case whatever its kernel range (each per-version case must then
 *                           fail where it does not apply)
 * @param specsDescription   where the specs came from, for the report's environment
 */
public record RunRequest(SpecSet specs, Pattern only, KnownDeviations.Loaded deviations, List<BackendUnderTest> backends,
                         boolean ignoreKernelRanges, String specsDescription) {

    public RunRequest {
        backends = List.copyOf(backends);
    }

    /** The cases {@link #only} selects, in spec order. */
    public List<io.msrconf.spec.Case> selected() {
        return specs.cases().stream().filter(c -> only.matcher(c.id()).find()).toList();
    }
}
