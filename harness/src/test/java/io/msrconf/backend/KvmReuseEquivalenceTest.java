package io.msrconf.backend;

import io.msrconf.target.TestTargets;
import static org.assertj.core.api.Assertions.assertThat;

import io.msrconf.kvm.local.LocalKvm;
import io.msrconf.spec.Case;
import io.msrconf.spec.SpecLoader;
import io.msrconf.spec.SpecSet;
import io.msrconf.pipeline.Differential;
import io.msrconf.spec.TestSpecs;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * VM reuse is only worth having if a case cannot tell it from a fresh VM: every spec case must give
 * the same observation (in {@link Differential}'s normal form, which leaves out values that count time)
 * on a fresh VM and on the one reused VM, with the cases run in spec order and in a shuffled order, so
 * that state leaking from one case into the next would show.
 */
class KvmReuseEquivalenceTest {

    private static final long SHUFFLE_SEED = 0x5eedL;

    private static List<Case> cases;
    private static Map<String, Observation> fresh;

    @BeforeAll
    static void runEveryCaseOnFreshVms() {
        SpecSet specs = SpecLoader.load(TestSpecs.DIR);
        assertThat(specs.errors()).isEmpty();
        fresh = new LinkedHashMap<>();
        List<Case> runnable = new ArrayList<>();
        try (KvmBackend kvm = KvmBackend.on(TestTargets.guest().kvm(), KvmBackend.Options.defaults())) {
            for (Case c : specs.cases()) {
                if (kvm.cannotRun(c).isEmpty()) {
                    runnable.add(c);
                    fresh.put(c.id(), kvm.run(c));
                }
            }
        }
        assertThat(runnable).as("spec cases this KVM can run").isNotEmpty();
        cases = List.copyOf(runnable);
    }

    @AfterAll
    static void forget() {
        cases = null;
        fresh = null;
    }

    @Test
    void reusedVmInSpecOrderObservesWhatFreshVmsObserve() {
        assertEquivalent(cases);
    }

    @Test
    void reusedVmInShuffledOrderObservesWhatFreshVmsObserve() {
        List<Case> shuffled = new ArrayList<>(cases);
        Collections.shuffle(shuffled, new Random(SHUFFLE_SEED));
        // twice over, so every case also follows the last ones of the first pass
        List<Case> twice = new ArrayList<>(shuffled);
        Collections.shuffle(shuffled, new Random(SHUFFLE_SEED + 1));
        twice.addAll(shuffled);
        assertEquivalent(twice);
    }

    private static void assertEquivalent(List<Case> order) {
        List<String> differences = new ArrayList<>();
        try (KvmBackend reused = KvmBackend.on(TestTargets.guest().kvm(), KvmBackend.Options.defaults().reusingVm())) {
            String previous = "(none: first case on the VM)";
            for (Case c : order) {
                Observation again = reused.run(c);
                String after = previous;
                Differential.compare(c, fresh.get(c.id()), again).ifPresent(d -> differences.add(
                        d.replace("KVM and the reference model disagree", "fresh VM (left) and reused VM (right) differ")
                                + "\n(the case before it on the reused VM: " + after + ")"));
                previous = c.id();
            }
        }
        assertThat(differences).as("cases whose observation on the reused VM differs from a fresh VM").isEmpty();
    }
}
