package io.msrconf.backend;

import java.util.List;

/** What one step of a case produced. One record per {@link io.msrconf.spec.Step} kind, in the same order. */
public sealed interface StepOutcome {

    /** KVM_X86_SET_MSR_FILTER returned 0 or this errno. */
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
