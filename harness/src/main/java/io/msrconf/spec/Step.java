package io.msrconf.spec;

import io.msrconf.filter.MsrFilter;
import java.util.List;

/**
 * One action of a case, in order. Every step says what it expects. Code that treats each kind of step
 * differently implements {@link Visitor}: adding a kind of step then fails to compile wherever it is
 * not handled yet, instead of falling through an instanceof chain.
 */
public sealed interface Step {

    SourceRef source();

    <R> R accept(Visitor<R> visitor);

    /** One method per kind of step. */
    interface Visitor<R> {
        R setFilter(SetFilter step);

        R runGuest(RunGuest step);

        R hostSetMsrs(HostSetMsrs step);

        R hostGetMsrs(HostGetMsrs step);

        R enableExits(EnableExits step);
    }

    /** KVM_X86_SET_MSR_FILTER with this filter; the ioctl must return {@code expectedErrno} (0 = success). */
    record SetFilter(MsrFilter filter, int expectedErrno, SourceRef source) implements Step {
        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.setFilter(this);
        }
    }

    /**
     * KVM_ENABLE_CAP(KVM_CAP_X86_USER_SPACE_MSR) with this raw mask, in the middle of a case; the ioctl must
     * return {@code expectedErrno} (0 = success). The case's vcpu.exits is the mask its VM starts with.
     */
    record EnableExits(int mask, int expectedErrno, SourceRef source) implements Step {
        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.enableExits(this);
        }
    }

    /** Run the MSR script payload once over these accesses, in order. */
    record RunGuest(List<Access> accesses, SourceRef source) implements Step {
        public RunGuest {
            accesses = List.copyOf(accesses);
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.runGuest(this);
        }
    }

    /** KVM_SET_MSRS from userspace; the ioctl returns how many MSRs it set. */
    record HostSetMsrs(List<MsrValue> msrs, int expectedCount, SourceRef source) implements Step {
        public HostSetMsrs {
            msrs = List.copyOf(msrs);
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.hostSetMsrs(this);
        }

        public int[] indexes() {
            return msrs.stream().mapToInt(MsrValue::index).toArray();
        }

        public long[] values() {
            return msrs.stream().mapToLong(MsrValue::value).toArray();
        }
    }

    /** KVM_GET_MSRS from userspace; the ioctl returns how many it read, and each value must match. */
    record HostGetMsrs(List<MsrRead> msrs, int expectedCount, SourceRef source) implements Step {
        public HostGetMsrs {
            msrs = List.copyOf(msrs);
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.hostGetMsrs(this);
        }

        public int[] indexes() {
            return msrs.stream().mapToInt(MsrRead::index).toArray();
        }
    }

    record MsrValue(int index, long value) {
    }

    record MsrRead(int index, ValueExpectation expected) {
    }
}
