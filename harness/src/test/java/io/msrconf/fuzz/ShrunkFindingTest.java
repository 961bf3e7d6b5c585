package io.msrconf.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.msrconf.backend.EmulatorBackend;
import io.msrconf.emu.model.Mutation;
import io.msrconf.spec.Case;
import io.msrconf.spec.SpecWriter;
import io.msrconf.spec.Step;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The generators reach the live forms of the spec language: a model that misses a filter change while the
 * guest is paused (a KVM whose vCPUs skip KVM_REQ_MSR_FILTER_CHANGED) disagrees with the correct one on a
 * generated case, and shrinking the choices leaves a small case with a pause and a continue step, which the
 * writer turns into spec YAML (printed: lifecycle.shrunk-live-filter-change in specs/ is that case, reviewed).
 * Model against mutated model: no KVM needed, so it runs everywhere.
 */
class ShrunkFindingTest {

    @Test
    void aMissedFilterChangeIsFoundAndShrunkToACaseWithAContinueStep() {
        try (EmulatorBackend model = EmulatorBackend.create();
             EmulatorBackend broken = EmulatorBackend.withMutations(Set.of(Mutation.FILTER_CHANGE_MISSED_BY_A_RUNNING_GUEST))) {
            Predicate<List<Long>> disagree = choices -> {
                Case c = Generators.cases().draw(Choices.of(choices));
                return model.cannotRun(c).isEmpty() && broken.cannotRun(c).isEmpty()
                        && !DifferentialCheck.problems(c, model.run(c), broken.run(c)).isEmpty();
            };
            Random random = new Random(2026);
            List<Long> found = null;
            for (int tries = 0; tries < 5000 && found == null; tries++) {
                List<Long> choices = new ArrayList<>();
                for (int i = 0; i < 300; i++) {
                    choices.add(random.nextLong() & Long.MAX_VALUE);
                }
                found = disagree.test(choices) ? choices : null;
            }
            assertThat(found).as("the generators reach a live filter change the broken model misses").isNotNull();

            List<Long> shrunk = shrink(found, disagree);
            Case c = Generators.cases().draw(Choices.of(shrunk));
            String yaml = SpecWriter.caseItem(ObservedCase.expectingObserved(c, model.run(c), "lifecycle.shrunk-live-filter-change"));
            System.out.println("ShrunkFindingTest: " + shrunk.size() + " choices left of " + found.size() + "; the case:\n" + yaml);
            assertThat(c.steps()).anySatisfy(s -> assertThat(s).isInstanceOfSatisfying(Step.RunGuest.class,
                    r -> assertThat(r.resume()).isNotNull()));
            assertThat(yaml).contains("continue:").contains("pause: " + Generators.LIVE_PAUSE);
            assertThat(c.steps().stream().filter(s -> s instanceof Step.RunGuest).mapToInt(s -> ((Step.RunGuest) s).accesses().size())
                    .sum()).as("shrunk to a couple of accesses").isLessThanOrEqualTo(3);
        }
    }

    /** Greedy shrinking of the choice sequence, as jqwik does: drop chunks, then make each number smaller, while it still fails. */
    static List<Long> shrink(List<Long> failing, Predicate<List<Long>> fails) {
        List<Long> xs = new ArrayList<>(failing);
        boolean progress = true;
        while (progress) {
            progress = false;
            // Large chunks first, then every small size: a generated range or access reads a handful of choices.
            List<Integer> sizes = new ArrayList<>();
            for (int size = xs.size() / 2; size > 8; size /= 2) {
                sizes.add(size);
            }
            for (int size = 8; size >= 1; size--) {
                sizes.add(size);
            }
            for (int size : sizes) {
                for (int i = 0; i + size <= xs.size(); ) {
                    List<Long> candidate = new ArrayList<>(xs.subList(0, i));
                    candidate.addAll(xs.subList(i + size, xs.size()));
                    if (fails.test(candidate)) {
                        xs = candidate;
                        progress = true;
                    } else {
                        i += size;
                    }
                }
            }
            for (int i = 0; i < xs.size(); i++) {
                long v = xs.get(i);
                for (long smaller : new long[] {0, v / 2, v - 1}) {
                    if (smaller >= 0 && smaller < v) {
                        List<Long> candidate = new ArrayList<>(xs);
                        candidate.set(i, smaller);
                        if (fails.test(candidate)) {
                            xs = candidate;
                            progress = true;
                            break;
                        }
                    }
                }
            }
        }
        return xs;
    }
}
