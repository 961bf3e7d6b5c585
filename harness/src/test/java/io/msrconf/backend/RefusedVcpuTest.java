package io.msrconf.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.msrconf.filter.MsrFilter;
import io.msrconf.kvm.KvmResult;
import io.msrconf.spec.Case;
import io.msrconf.verdict.Verdict;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A KVM that refuses KVM_CREATE_VCPU (a broken kernel: a mutant of kvm_msr_allowed() that dereferences a missing
 * filter did this) fails the case that needed the vCPU, with the reason, and nothing else: the steps on that vCPU
 * are "not run", no exception ends the whole run.
 */
class RefusedVcpuTest {

    private static final Case TWO_VCPUS = SelfTestCases.parse("""
            area: self-test
            cases:
              - id: self.refused-vcpu
                title: a vCPU KVM refuses to create
                cites: harness self-test
                steps:
                  - create-vcpu: 0
                  - run: [ { rdmsr: 0x174, expect: ok } ]
                  - host-set-msrs: [ { index: 0x174, value: 1 } ]
                    expect: 1
                  - host-get-msrs: [ { index: 0x174 } ]
                    expect: 1
                  - create-vcpu: 1
                    cpuid: later
                  - set-cpuid: 1
            """);

    /** Refuses every vCPU, as KVM_CREATE_VCPU returning EFAULT would; nothing else of it is reached. */
    private static final class RefusingVm implements CaseVm {
        @Override
        public KvmResult setMsrFilter(MsrFilter filter) {
            throw new AssertionError("not reached");
        }

        @Override
        public KvmResult enableUserSpaceMsr(int mask, int flags) {
            throw new AssertionError("not reached");
        }

        @Override
        public KvmResult xenHvmConfig(int msr, int blobPages) {
            throw new AssertionError("not reached");
        }

        @Override
        public int checkExtension(int cap) {
            throw new AssertionError("not reached");
        }

        @Override
        public KvmResult createVcpu(int id) {
            return KvmResult.ofErrno(io.msrconf.abi.Errno.EFAULT);
        }

        @Override
        public KvmResult setCpuid(int id) {
            throw new AssertionError("a vCPU that does not exist gets no CPUID");
        }

        @Override
        public KvmResult hostSetMsrs(int vcpu, int[] indexes, long[] values) {
            throw new AssertionError("a vCPU that does not exist gets no KVM_SET_MSRS");
        }

        @Override
        public KvmResult hostGetMsrs(int vcpu, int[] indexes, long[] valuesOut) {
            throw new AssertionError("a vCPU that does not exist gets no KVM_GET_MSRS");
        }

        @Override
        public boolean hasVcpu(int id) {
            return false;
        }

        @Override
        public GuestVcpu vcpu(int id) {
            throw new AssertionError("a vCPU that does not exist is not run");
        }
    }

    @Test
    void stepsOnAVcpuKvmRefusedAreNotRunAndTheCaseFailsWithTheReason() {
        CaseExecutor executor = new CaseExecutor(new GuestRun(null, Duration.ofSeconds(1)));
        Observation o = executor.execute(TWO_VCPUS, new RefusingVm(), "kvm");
        assertThat(o.steps()).extracting(StepOutcome::describe).containsExactly(
                "KVM_CREATE_VCPU(0) returned EFAULT (14)",
                "not run: vCPU 0 does not exist: KVM did not create it",
                "not run: vCPU 0 does not exist: KVM did not create it",
                "not run: vCPU 0 does not exist: KVM did not create it",
                "KVM_CREATE_VCPU(1) returned EFAULT (14)",
                "not run: vCPU 1 does not exist: KVM did not create it");
        Verdict v = Verdict.judge(TWO_VCPUS, o);
        assertThat(v.passed()).isFalse();
        assertThat(v.explain()).contains("Expected KVM_CREATE_VCPU(0) to succeed, got EFAULT (14)",
                "Expected the outcome of a guest run, got not run: vCPU 0 does not exist");
    }
}
