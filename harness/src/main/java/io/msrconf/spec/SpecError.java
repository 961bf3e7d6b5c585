package io.msrconf.spec;

import java.util.Objects;

/**
 * One problem in a spec file: where it is, which field (a path like
 * {@code cases[2].steps[0].set-filter.ranges[1].base}; empty for the file as a whole) and what is wrong.
 * The caller reports each one as a failing test, so a malformed case never disappears silently.
 */
public record SpecError(SourceRef source, String path, String message) {

    public SpecError {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(message, "message");
    }

    /** {@code specs/filter-ranges.yaml:23: cases[2].steps[0].set-filter.ranges[1].base: expected ...}. */
    @Override
    public String toString() {
        return source + ": " + (path.isEmpty() ? "" : path + ": ") + message;
    }
}
