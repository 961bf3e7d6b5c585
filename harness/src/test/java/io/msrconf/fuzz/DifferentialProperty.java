package io.msrconf.fuzz;

import io.msrconf.target.TestTargets;
import static org.assertj.core.api.Assertions.assertThat;

import io.msrconf.backend.KvmBackend;
import io.msrconf.filter.MsrFilter;
import io.msrconf.spec.Case;
import io.msrconf.abi.ExitReason;
import io.msrconf.spec.KernelRange;
import io.msrconf.spec.Step;
import io.msrconf.spec.VcpuSetup;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.lifecycle.LifecycleContext;
import net.jqwik.api.lifecycle.SkipExecutionHook;

/**
 * KVM and the reference model observe the same for generated cases, and both agree with the filter
 * decision computed from the filter alone. Bounded for {@code mvn verify}; {@code msrconf fuzz} runs
 * longer campaigns. A failure shrinks, and its message is the shrunk case as spec YAML plus the seed.
 */
@AddLifecycleHook(DifferentialProperty.SkipWithoutKvm.class)
class DifferentialProperty {

    /** Fixed, so that CI explores the same cases every run; the campaign takes a new seed each time. */
    static final String SEED = "5005";

    private static FuzzRunner runner;
    private static final AtomicInteger CHECKED = new AtomicInteger();
    private static final AtomicInteger SKIPPED = new AtomicInteger();

    @BeforeContainer
    static void open() {
        runner = FuzzRunner.open(TestTargets.guest().kvm());
    }

    @AfterContainer
    static void close() {
        runner.close();
        System.out.println("DifferentialProperty: " + CHECKED + " cases checked, " + SKIPPED + " skipped (seed " + SEED + ")");
    }

    /**
     * Without a usable KVM every try would be discarded and jqwik would fail the property as exhausted;
     * skip it with KVM's reason instead, as the conformance suite does.
     */
    static final class SkipWithoutKvm implements SkipExecutionHook {
        @Override
        public SkipResult shouldBeSkipped(LifecycleContext context) {
            return TestTargets.guestUnavailableReason().map(SkipResult::skip).orElse(SkipResult.doNotSkip());
        }
    }

    @Provide
    Arbitrary<Case> cases() {
        return JqwikGen.of(Generators.cases());
    }

    @Property(tries = 200, seed = SEED, maxDiscardRatio = 1000)
    void kvmAndTheModelAgreeWithEachOtherAndWithTheFilter(@ForAll("cases") Case c) {
        FuzzRunner.Result result = runner.run(c);
        if (result instanceof FuzzRunner.Skipped) {
            SKIPPED.incrementAndGet();
        }
        Assume.that(result instanceof FuzzRunner.Checked);
        FuzzRunner.Checked checked = (FuzzRunner.Checked) result;
        CHECKED.incrementAndGet();
        assertThat(checked.problems())
                .as(() -> DifferentialCheck.report(c, checked.kvm(), checked.model(), checked.problems(), "fuzz.shrunk",
                        Long.parseLong(SEED)))
                .isEmpty();
    }
}
