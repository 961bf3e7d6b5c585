package io.msrconf.backend;

import io.msrconf.filter.MsrFilter;
import io.msrconf.kvm.KvmResult;
import io.msrconf.spec.Case;

/**
 * A {@link CaseVmSource} that times the phases of each case for the benchmark, around the source it
 * decorates: VM setup (open; for a reused VM, the reset), the filter ioctls, everything else the case
 * does (guest runs, host MSR steps, the harness's own work between them) and teardown (release). The
 * run path itself carries no timing code.
 */
public final class TimedCaseVmSource implements CaseVmSource {

    /** The phases of a case, as the benchmark splits them. */
    public enum Phase {
        /** Fresh VM: create the VM, irqchip, memory, vCPU, CPUID, APIC mode. Reused VM: put the VM back to that state. */
        VM_SETUP,
        /** KVM_X86_SET_MSR_FILTER steps. */
        FILTER,
        /** Guest runs, the host KVM_GET_MSRS/KVM_SET_MSRS steps and the harness's work between steps. */
        RUN,
        /** Closing the fresh VM (nothing in reuse mode). */
        TEARDOWN
    }

    /** Receives the time of each phase of each case, in nanoseconds. */
    @FunctionalInterface
    public interface PhaseTimer {
        void record(Phase phase, long nanos);
    }

    private final CaseVmSource inner;
    private final PhaseTimer timer;

    public TimedCaseVmSource(CaseVmSource inner, PhaseTimer timer) {
        this.inner = inner;
        this.timer = timer;
    }

    @Override
    public CaseVm open(Case c) {
        long start = System.nanoTime();
        CaseVm vm = inner.open(c);
        long opened = System.nanoTime();
        timer.record(Phase.VM_SETUP, opened - start);
        return new Timed(vm, opened);
    }

    @Override
    public void release(CaseVm vm, boolean atRest) {
        Timed timed = (Timed) vm;
        long done = System.nanoTime();
        timer.record(Phase.FILTER, timed.filterNanos);
        timer.record(Phase.RUN, done - timed.opened - timed.filterNanos);
        inner.release(timed.inner, atRest);
        timer.record(Phase.TEARDOWN, System.nanoTime() - done);
    }

    @Override
    public void close() {
        inner.close();
    }

    private static final class Timed implements CaseVm {
        private final CaseVm inner;
        private final long opened;
        private long filterNanos;

        Timed(CaseVm inner, long opened) {
            this.inner = inner;
            this.opened = opened;
        }

        @Override
        public KvmResult setMsrFilter(MsrFilter filter) {
            long start = System.nanoTime();
            try {
                return inner.setMsrFilter(filter);
            } finally {
                filterNanos += System.nanoTime() - start;
            }
        }

        @Override
        public KvmResult enableUserSpaceMsr(int mask, int flags) {
            return inner.enableUserSpaceMsr(mask, flags);
        }

        @Override
        public int checkExtension(int cap) {
            return inner.checkExtension(cap);
        }

        @Override
        public boolean hasVcpu(int id) {
            return inner.hasVcpu(id);
        }

        @Override
        public KvmResult xenHvmConfig(int msr, int blobPages) {
            return inner.xenHvmConfig(msr, blobPages);
        }

        @Override
        public KvmResult createVcpu(int id) {
            return inner.createVcpu(id);
        }

        @Override
        public KvmResult setCpuid(int id) {
            return inner.setCpuid(id);
        }

        @Override
        public KvmResult hostSetMsrs(int vcpu, int[] indexes, long[] values) {
            return inner.hostSetMsrs(vcpu, indexes, values);
        }

        @Override
        public KvmResult hostGetMsrs(int vcpu, int[] indexes, long[] valuesOut) {
            return inner.hostGetMsrs(vcpu, indexes, valuesOut);
        }

        @Override
        public GuestVcpu vcpu(int id) {
            return inner.vcpu(id);
        }
    }
}
