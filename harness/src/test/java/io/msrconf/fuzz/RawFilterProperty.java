package io.msrconf.fuzz;

import io.msrconf.target.TestTargets;
import static org.assertj.core.api.Assertions.assertThat;

import io.msrconf.backend.AccessOutcome;
import io.msrconf.backend.EmulatorBackend;
import io.msrconf.pipeline.TargetInfo;
import io.msrconf.guest.GuestResult;
import io.msrconf.backend.KvmBackend;
import io.msrconf.backend.Observation;
import io.msrconf.backend.StepOutcome;
import io.msrconf.filter.MsrFilter;
import io.msrconf.abi.Errno;
import io.msrconf.spec.Case;
import io.msrconf.spec.GuestExpectation;
import io.msrconf.pipeline.Differential;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Raw KVM_X86_SET_MSR_FILTER contents, bitmap pointers to valid, short, unmapped and NULL memory
 * included: KVM and the model return the same errno, the oracle predicts it, and after a refusal the
 * canary filter installed just before still denies its MSR. Bounded for {@code mvn verify}, with a
 * fixed seed; skipped with KVM's reason where KVM cannot run it.
 */
@AddLifecycleHook(DifferentialProperty.SkipWithoutKvm.class)
class RawFilterProperty {

    static final String SEED = "5002";

    private static KvmBackend kvm;
    private static EmulatorBackend model;
    private static final AtomicInteger REFUSED = new AtomicInteger();
    private static final AtomicInteger ACCEPTED = new AtomicInteger();
    private static final AtomicInteger EFAULTS = new AtomicInteger();

    @BeforeContainer
    static void open() {
        kvm = KvmBackend.on(TestTargets.guest().kvm(), KvmBackend.Options.defaults().reusingVm());
        model = EmulatorBackend.create(TargetInfo.modelProfileOf(TestTargets.guest().kvm()));
    }

    @AfterContainer
    static void close() {
        try {
            kvm.close();
        } finally {
            model.close();
        }
        System.out.println("RawFilterProperty: " + ACCEPTED + " raw filters accepted, " + REFUSED + " refused ("
                + EFAULTS + " with EFAULT), seed " + SEED);
    }

    @Provide
    Arbitrary<MsrFilter> rawFilters() {
        return JqwikGen.of(RawFilters.filters());
    }

    @Property(tries = 300, seed = SEED)
    void kvmAndTheModelRefuseAlikeAndARefusalKeepsTheFilterBefore(@ForAll("rawFilters") MsrFilter raw, @ForAll boolean filterExits) {
        Case c = RawFilters.canaryCase(raw, filterExits);
        Observation k = kvm.run(c);
        Observation m = model.run(c);
        String context = "raw filter:\n" + RawFilters.rawBytes(raw) + "seed " + SEED;

        Optional<String> difference = Differential.compare(c, k, m);
        assertThat(difference).as(() -> difference.orElse("") + "\n" + context).isEmpty();
        assertThat(k.steps().get(0)).as("the canary installs").isEqualTo(new StepOutcome.FilterSet(0));
        int errno = ((StepOutcome.FilterSet) k.steps().get(1)).errno();
        assertThat(errno).as(() -> "KVM's errno against the oracle's\n" + context).isEqualTo(FilterOracle.errno(raw));

        if (errno == 0) {
            ACCEPTED.incrementAndGet();
            return;
        }
        REFUSED.incrementAndGet();
        if (errno == Errno.EFAULT) {
            EFAULTS.incrementAndGet();
        }
        AccessOutcome canary = ((StepOutcome.GuestRan) k.steps().get(2)).accesses().get(0);
        assertThat(canary.result()).as(() -> "RDMSR 0x174 after the refused filter: the canary still denies\n" + context)
                .isEqualTo(new GuestResult.Faulted(GuestExpectation.Faults.GP, 0));
        if (filterExits) {
            assertThat(canary.exits()).as("the denied RDMSR exits to userspace first").hasSize(1);
        }
    }
}
