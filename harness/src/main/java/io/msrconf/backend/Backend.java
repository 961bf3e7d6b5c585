package io.msrconf.backend;

import io.msrconf.spec.Case;
import java.util.Optional;

/** Runs cases. A backend that cannot run a case says why, and the case is skipped with that reason. */
public interface Backend extends AutoCloseable {

    String name();

    /** Empty when this backend can run the case here; otherwise the skip reason, for the report. */
    Optional<String> cannotRun(Case c);

    Observation run(Case c);

    @Override
    void close();
}
