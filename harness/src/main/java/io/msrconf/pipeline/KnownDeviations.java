package io.msrconf.pipeline;

import io.msrconf.spec.KnownDeviationsParser;
import io.msrconf.spec.SpecError;
import io.msrconf.pipeline.TargetInfo;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The known-deviations file: cases known to fail on some kernels because the kernel deviates from its
 * documentation. It sits in a subdirectory of the specs so the spec loader, which reads only
 * {@code specs/*.yaml}, never takes it for a spec file.
 */
public final class KnownDeviations {

    /** Where the file is, relative to the spec directory. */
    public static final Path RELATIVE_PATH = Path.of("known-deviations", "deviations.yaml");

    /** The valid entries, and what is wrong with the others ({@code file:line: field: message}). */
    public record Loaded(List<KnownDeviation> deviations, List<SpecError> errors) {
        public Loaded {
            deviations = List.copyOf(deviations);
            errors = List.copyOf(errors);
        }
    }

    private KnownDeviations() {
    }

    /** The known-deviations file of a spec directory. */
    public static Path in(Path specs) {
        return specs.resolve(RELATIVE_PATH);
    }

    /** Loads the file; a missing file means no known deviations, not an error. */
    public static Loaded load(Path file) {
        KnownDeviationsParser.Parsed parsed = KnownDeviationsParser.load(file);
        return new Loaded(parsed.entries().stream()
                .map(e -> new KnownDeviation(e.caseId(), e.backend(), e.kernels(), e.kvmModule(), e.evidence(), e.fix(), e.source()))
                .toList(), parsed.errors());
    }

    /** The first entry that applies to the case on this backend and host, in file order. */
    public static Optional<KnownDeviation> match(List<KnownDeviation> deviations, String caseId, String backend, TargetInfo host) {
        return deviations.stream().filter(d -> d.appliesTo(caseId, backend, host)).findFirst();
    }
}
