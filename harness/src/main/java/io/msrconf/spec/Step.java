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

        R createVcpu(CreateVcpu step);

        R checkExtension(CheckExtension step);

        R setCpuid(SetCpuid step);

        R xenHvmConfig(XenHvmConfig step);
    }

    /**
     * KVM_XEN_HVM_CONFIG: guest writes to MSR {@code msr} make KVM copy page N of a hypercall blob of
     * {@code blobPages} pages from the VMM into the guest (x86.c kvm_set_msr_common() ->
     * kvm_xen_write_hypercall_page(), 5.10: xen_hvm_config()). msrconf never gives KVM a blob it can read: the
     * blob address is one where nothing can be mapped, so a write for a page inside the blob fails in
     * memdup_user() with -EFAULT, the one negative error a WRMSR handler returns on every kernel msrconf boots.
     * The ioctl must return {@code expectedErrno}.
     */
    record XenHvmConfig(int msr, int blobPages, int expectedErrno, SourceRef source) implements Step {
        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.xenHvmConfig(this);
        }
    }

    /**
     * KVM_CREATE_VCPU({@code id}) in the middle of a case (e.g. after the filter), and, unless
     * {@code cpuidLater}, KVM_SET_CPUID2 and the case's APIC mode right after, as the setup does for vCPU 0.
     * A vCPU other than 0 is made runnable (KVM_SET_MP_STATE): it is not the boot processor.
     */
    record CreateVcpu(int id, boolean cpuidLater, SourceRef source) implements Step {
        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.createVcpu(this);
        }
    }

    /** KVM_CHECK_EXTENSION on the VM fd for {@code cap} (a KVM_CAP_* number); it must return {@code expectedValue}. */
    record CheckExtension(String capName, int cap, int expectedValue, SourceRef source) implements Step {
        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.checkExtension(this);
        }
    }

    /** KVM_SET_CPUID2 and the case's APIC mode for a vCPU created with {@code cpuid: later}. */
    record SetCpuid(int id, SourceRef source) implements Step {
        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.setCpuid(this);
        }
    }

    /**
     * KVM_X86_SET_MSR_FILTER with this filter, or with a NULL argument when {@code filter} is null
     * ({@code set-filter: null}); the ioctl must return {@code expectedErrno} (0 = success).
     */
    record SetFilter(MsrFilter filter, int expectedErrno, SourceRef source) implements Step {
        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.setFilter(this);
        }
    }

    /**
     * KVM_ENABLE_CAP(KVM_CAP_X86_USER_SPACE_MSR) with this raw mask and struct kvm_enable_cap's raw flags, in
     * the middle of a case; the ioctl must return {@code expectedErrno} (0 = success). The case's vcpu.exits
     * is the mask its VM starts with.
     */
    record EnableExits(int mask, int capFlags, int expectedErrno, SourceRef source) implements Step {

        /** With the struct's flags 0, as every VMM passes them. */
        public EnableExits(int mask, int expectedErrno, SourceRef source) {
            this(mask, 0, expectedErrno, source);
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.enableExits(this);
        }
    }

    /**
     * Run the MSR script payload over these accesses, in order: from the start state ({@code resume} null,
     * a {@code run:} step), or, for a {@code continue:} step, the same guest from where its previous run or
     * continue step left it paused. A step pauses at its end (the guest reported its accesses done and the
     * case goes on with other steps while it waits) and names that point {@code pause}; or its last access
     * names a pause in its exit ({@link ExpectedExit#pause()}): the vCPU then stops inside that MSR exit,
     * unanswered until the continue step.
     */
    record RunGuest(List<Access> accesses, int vcpu, Resume resume, String pause, SourceRef source) implements Step {
        public RunGuest {
            accesses = List.copyOf(accesses);
        }

        /** On vCPU 0. */
        public RunGuest(List<Access> accesses, Resume resume, String pause, SourceRef source) {
            this(accesses, 0, resume, pause, source);
        }

        /** A {@code run:} step on vCPU 0 that starts the guest afresh and pauses nowhere. */
        public RunGuest(List<Access> accesses, SourceRef source) {
            this(accesses, 0, null, null, source);
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.runGuest(this);
        }

        /** The access whose exit the vCPU is left in at the end of this step, or null. */
        public Access pausedInExit() {
            if (accesses.isEmpty()) {
                return null;
            }
            Access last = accesses.get(accesses.size() - 1);
            return last.exit() != null && last.exit().pause() != null ? last : null;
        }

        /** Whether the step's last access expects KVM_RUN to fail there: then the step ends with that failure. */
        public boolean endsInKvmRunFailure() {
            return !accesses.isEmpty() && accesses.get(accesses.size() - 1).guest() instanceof GuestExpectation.KvmRunFails;
        }

        /** Whether the step's last access expects KVM's emulation of it to fail: then the step ends with that failure. */
        public boolean endsInEmulationFailure() {
            return !accesses.isEmpty() && accesses.get(accesses.size() - 1).guest() instanceof GuestExpectation.EmulationFails;
        }

        /** The name of the point this step leaves the guest paused at, or null when nothing continues it. */
        public String pausePoint() {
            Access inExit = pausedInExit();
            return inExit != null ? inExit.exit().pause() : pause;
        }
    }

    /**
     * What a continue step resumes: the pause point it names, and, when the guest was left inside an MSR
     * exit, that access: its answer completes the exit before the new accesses run, and its guest
     * expectation ({@code then}) is checked in the continue step. {@code total}: how many accesses the
     * guest has been given since its start, before this step.
     */
    record Resume(String from, Access inExit, int total) {
    }

    /** KVM_SET_MSRS from userspace on vCPU {@code vcpu}; the ioctl returns how many MSRs it set. */
    record HostSetMsrs(List<MsrValue> msrs, int expectedCount, int vcpu, SourceRef source) implements Step {
        public HostSetMsrs {
            msrs = List.copyOf(msrs);
        }

        /** On vCPU 0. */
        public HostSetMsrs(List<MsrValue> msrs, int expectedCount, SourceRef source) {
            this(msrs, expectedCount, 0, source);
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

    /** KVM_GET_MSRS from userspace on vCPU {@code vcpu}; the ioctl returns how many it read, and each value must match. */
    record HostGetMsrs(List<MsrRead> msrs, int expectedCount, int vcpu, SourceRef source) implements Step {
        public HostGetMsrs {
            msrs = List.copyOf(msrs);
        }

        /** On vCPU 0. */
        public HostGetMsrs(List<MsrRead> msrs, int expectedCount, SourceRef source) {
            this(msrs, expectedCount, 0, source);
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
