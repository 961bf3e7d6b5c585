package io.msrconf.spec;

import io.msrconf.filter.MsrFilter;
import java.util.List;

/** One action of a case, in order. Every step says what it expects. */
public sealed interface Step {

    SourceRef source();

    /** KVM_X86_SET_MSR_FILTER with this filter; the ioctl must return {@code expectedErrno} (0 = success). */
    record SetFilter(MsrFilter filter, int expectedErrno, SourceRef source) implements Step {
    }

    /** Run the MSR script payload once over these accesses, in order. */
    record RunGuest(List<Access> accesses, SourceRef source) implements Step {
        public RunGuest {
            accesses = List.copyOf(accesses);
        }
    }

    /** KVM_SET_MSRS from userspace; the ioctl returns how many MSRs it set. */
    record HostSetMsrs(List<MsrValue> msrs, int expectedCount, SourceRef source) implements Step {
        public HostSetMsrs {
            msrs = List.copyOf(msrs);
        }
    }

    /** KVM_GET_MSRS from userspace; the ioctl returns how many it read, and each value must match. */
    record HostGetMsrs(List<MsrRead> msrs, int expectedCount, SourceRef source) implements Step {
        public HostGetMsrs {
            msrs = List.copyOf(msrs);
        }
    }

    record MsrValue(int index, long value) {
    }

    record MsrRead(int index, ValueExpectation expected) {
    }
}
