package io.msrconf.emu.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.msrconf.emu.cpu.MsrResult;
import io.msrconf.filter.FilterRange;
import io.msrconf.filter.MsrFilter;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The model's side-effect MSR reads (KVM's emulator get_msr hook): unfiltered since 5.18, filtered by the mutation. */
class SideEffectReadTest {

    private static final long EFER = 0x500;
    private static final MsrFilter DENY_TSC_READS = new MsrFilter(MsrFilter.DEFAULT_ALLOW,
            List.of(FilterRange.allowing(MsrFilter.RANGE_READ, 0x10, 1)));

    @Test
    void aDeniedMsrIsReadAnywayAndTheTscIsNeverZero() {
        KvmModel model = new KvmModel(EFER, Set.of());
        assertThat(model.setMsrFilter(DENY_TSC_READS)).isZero();
        assertThat(model.rdmsr(0x10)).as("RDMSR is filtered").isEqualTo(new MsrResult.Fault());
        MsrResult read = model.emulatorImplicitRead(0x10);
        assertThat(read).isInstanceOf(MsrResult.Done.class);
        assertThat(((MsrResult.Done) read).value()).isNotZero();
        assertThat(model.tsc()).isNotZero();
    }

    @Test
    void theMutationFiltersThemAsBefore518() {
        KvmModel model = new KvmModel(EFER, Set.of(Mutation.SIDE_EFFECT_READS_FILTERED));
        model.setMsrFilter(DENY_TSC_READS);
        assertThat(model.emulatorImplicitRead(0x10)).isEqualTo(new MsrResult.Fault());
        assertThat(model.emulatorImplicitRead(0x174)).as("an allowed MSR").isEqualTo(new MsrResult.Done(0));
    }

    @Test
    void forcedEmulationIsOffUntilSwitchedOn() {
        KvmModel model = new KvmModel(EFER, Set.of());
        assertThat(model.forcedEmulationPrefix()).isFalse();
        model.setForcedEmulationPrefix(true);
        assertThat(model.forcedEmulationPrefix()).isTrue();
    }
}
