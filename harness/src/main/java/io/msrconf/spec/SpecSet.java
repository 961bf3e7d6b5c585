package io.msrconf.spec;

import java.util.List;

/**
 * What loading specs produced: the valid cases, in file order, and every error found. A case with any
 * error, or from a file with a file-level error, is not in {@code cases}; its errors are in {@code errors}.
 */
public record SpecSet(List<Case> cases, List<SpecError> errors) {

    public SpecSet {
        cases = List.copyOf(cases);
        errors = List.copyOf(errors);
    }

    public boolean hasErrors() {
        return !errors.isEmpty();
    }
}
