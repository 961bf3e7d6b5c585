package io.msrconf.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.msrconf.backend.EmulatorBackend;
import io.msrconf.emu.model.Mutation;
import io.msrconf.filter.FilterRange;
import io.msrconf.filter.MsrFilter;
import io.msrconf.spec.Access;
import io.msrconf.spec.Case;
import io.msrconf.abi.ExitReason;
import io.msrconf.spec.Step;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The generators reach what the property is meant to test, and the check catches a broken model. */
class GeneratorsTest {

    private static List<Case> sample(long seed, int n) {
        Random random = new Random(seed);
        return IntStream.range(0, n).mapToObj(i -> Generators.next(random)).toList();
    }

    private static MsrFilter filter(Case c) {
        return ((Step.SetFilter) c.steps().get(0)).filter();
    }

    private static List<Access> accesses(Case c) {
        return ((Step.RunGuest) c.steps().get(1)).accesses();
    }

    @Test
    void aSeedRepeatsTheCases() {
        assertThat(sample(11, 20)).isEqualTo(sample(11, 20));
    }

    @Test
    void theCasesCoverTheInterestingShapes() {
        List<Case> cases = sample(3, 500);
        List<FilterRange> ranges = new ArrayList<>();
        cases.forEach(c -> ranges.addAll(filter(c).ranges()));
        assertThat(cases).anyMatch(c -> FilterOracle.errno(filter(c)) != 0).anyMatch(c -> FilterOracle.errno(filter(c)) == 0)
                .anyMatch(c -> filter(c).ranges().size() == MsrFilter.MAX_RANGES)
                .anyMatch(c -> (filter(c).flags() & ~MsrFilter.DEFAULT_DENY) != 0)
                .anyMatch(c -> c.vcpu().x2apic()).anyMatch(c -> c.vcpu().userspaceExits().contains(ExitReason.FILTER))
                .anyMatch(c -> c.vcpu().userspaceExits().isEmpty())
                .anyMatch(c -> accesses(c).size() == 12)
                .anyMatch(c -> FilterOracle.errno(filter(c)) == 0 && accesses(c).stream()
                        .anyMatch(a -> !FilterOracle.allowed(filter(c), a.index(), a.op())));
        assertThat(ranges).anyMatch(FilterRange::isEmpty)
                .anyMatch(r -> r.nmsrs() == MsrFilter.MAX_NMSRS && r.bitmap().length == MsrFilter.MAX_BITMAP_BYTES)
                .anyMatch(r -> r.flags() == 0).anyMatch(r -> r.flags() == 4)
                .anyMatch(r -> Integer.toUnsignedLong(r.base()) + Integer.toUnsignedLong(r.nmsrs()) > 0xffff_ffffL)
                .anyMatch(r -> Integer.compareUnsigned(r.base(), 0x10) <= 0 && r.nmsrs() != 0);
        assertThat(cases.stream().flatMap(c -> accesses(c).stream()).map(Access::index))
                .contains(0x802, 0x803, 0x808, 0x80b, 0x80d, 0x10, 0x174, 0xc0000080, 0xc0000084, 0x12345678)
                .allMatch(Generators::modelAnswers);
    }

    @Test
    void theCheckCatchesAModelWhereTheLastMatchWins() {
        // Model against model: runs without KVM. The broken one must disagree with the oracle somewhere.
        try (FuzzRunner runner = new FuzzRunner(EmulatorBackend.create(), EmulatorBackend.withMutations(Set.of(Mutation.LAST_MATCH_WINS)))) {
            assertThat(sample(5, 300)).map(runner::run)
                    .anyMatch(r -> r instanceof FuzzRunner.Checked checked && !checked.agrees()
                            && checked.problems().stream().anyMatch(p -> p.startsWith("emulator, step 2:")));
        }
    }
}
