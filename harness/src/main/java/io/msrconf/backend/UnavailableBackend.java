package io.msrconf.backend;

import io.msrconf.spec.Case;
import java.util.Optional;

/** A backend that cannot run anything here: every case is skipped with the reason. */
final class UnavailableBackend implements Backend {

    private final String name;
    private final String reason;

    UnavailableBackend(String name, String reason) {
        this.name = name;
        this.reason = reason;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Optional<String> cannotRun(Case c) {
        return Optional.of(reason);
    }

    @Override
    public Observation run(Case c) {
        throw new IllegalStateException(name + " cannot run cases here: " + reason);
    }

    @Override
    public void close() {
        // nothing to release
    }
}
