package io.msrconf.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.msrconf.backend.EmulatorBackend;
import io.msrconf.emu.model.Mutation;
import io.msrconf.spec.Case;
import io.msrconf.spec.KernelVersion;
import io.msrconf.spec.SpecLoader;
import io.msrconf.pipeline.CaseResult;
import io.msrconf.pipeline.CaseRunner;
import io.msrconf.spec.TestSpecs;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The suite must catch plausible kernel bugs: every case runs against the reference model built with
 * each deliberate bug ({@link Mutation}); a mutant is killed when at least one case fails. Prints the
 * score and the survivors; any survivor fails the test, since it names a bug the suite would miss.
 */
class MutationTest {

    /** The model is kernel-independent: judge every case as on the newest kernel the specs know. */
    private static final KernelVersion ANY_KERNEL = new KernelVersion(99, 0, 0);

    @Test
    void everyMutantIsKilledBySomeCase() {
        List<Case> cases = SpecLoader.load(TestSpecs.DIR).cases();
        Map<Mutation, String> killedBy = new EnumMap<>(Mutation.class);
        List<Mutation> survivors = new ArrayList<>();
        for (Mutation m : Mutation.values()) {
            try (EmulatorBackend mutant = EmulatorBackend.withMutations(Set.of(m))) {
                CaseRunner runner = new CaseRunner(mutant, ANY_KERNEL);
                cases.stream().filter(c -> runner.run(c).status() == CaseResult.Status.FAILED).findFirst()
                        .ifPresentOrElse(c -> killedBy.put(m, c.id()), () -> survivors.add(m));
            }
        }
        int total = Mutation.values().length;
        System.out.printf("mutation score: %d/%d killed%n", killedBy.size(), total);
        killedBy.forEach((m, id) -> System.out.printf("  killed   %-32s by %s%n", m, id));
        survivors.forEach(m -> System.out.printf("  SURVIVED %s%n", m));
        assertThat(survivors).as("mutants no case kills (each is a kernel bug the suite would miss)").isEmpty();
    }

    @Test
    void theUnmutatedModelPassesEveryCase() {
        try (EmulatorBackend model = EmulatorBackend.create()) {
            CaseRunner runner = new CaseRunner(model, ANY_KERNEL);
            List<String> failures = SpecLoader.load(TestSpecs.DIR).cases().stream().map(runner::run)
                    .filter(r -> r.status() == CaseResult.Status.FAILED).map(CaseResult::describe).toList();
            assertThat(failures).as("the reference model must conform, or the mutation score means nothing").isEmpty();
        }
    }
}
