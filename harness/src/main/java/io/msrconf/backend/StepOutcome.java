package io.msrconf.backend;

import java.util.List;

/** What one step of a case produced. One record per {@link io.msrconf.spec.Step} kind, in the same order. */
public sealed interface StepOutcome {

    /** KVM_X86_SET_MSR_FILTER returned 0 or this errno. */
    /** KVM_ENABLE_CAP(KVM_CAP_X86_USER_SPACE_MSR) returned this errno (0 = success). */
    record ExitsEnabled(int errno) implements StepOutcome {
    }

    record FilterSet(int errno) implements StepOutcome {
    }

    /** One run of the script payload: an outcome per access, in script order, and how the run ended. */
    record GuestRan(List<AccessOutcome> accesses, RunEnd end) implements StepOutcome {
        public GuestRan {
            accesses = List.copyOf(accesses);
        }
    }

    /** KVM_SET_MSRS returned this value (a count, or -errno). */
    record HostMsrsSet(int result) implements StepOutcome {
    }

    /** KVM_GET_MSRS returned this value (a count, or -errno) and these values, one per requested MSR. */
    record HostMsrsGot(int result, List<Long> values) implements StepOutcome {
        public HostMsrsGot {
            values = List.copyOf(values);
        }
    }
}
