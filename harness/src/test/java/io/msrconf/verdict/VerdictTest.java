package io.msrconf.verdict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.msrconf.spec.Citation;
import io.msrconf.backend.AccessOutcome;
import io.msrconf.guest.GuestResult;
import io.msrconf.backend.MsrExit;
import io.msrconf.backend.Observation;
import io.msrconf.backend.RunEnd;
import io.msrconf.backend.StepOutcome;
import io.msrconf.filter.FilterRange;
import io.msrconf.filter.MsrFilter;
import io.msrconf.spec.Access;
import io.msrconf.spec.Case;
import io.msrconf.abi.ExitReason;
import io.msrconf.spec.ExpectedExit;
import io.msrconf.spec.GuestExpectation;
import io.msrconf.spec.KernelRange;
import io.msrconf.spec.MsrOp;
import io.msrconf.spec.SourceRef;
import io.msrconf.spec.Step;
import io.msrconf.spec.UserspaceAnswer;
import io.msrconf.spec.ValueExpectation;
import io.msrconf.spec.VcpuSetup;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The verdict explains each kind of mismatch in one sentence, and a wrong expectation makes a case fail. */
class VerdictTest {

    private static final SourceRef AT = new SourceRef(Path.of("specs/t.yaml"), 7);
    private static final MsrFilter DENY_174 = new MsrFilter(MsrFilter.DEFAULT_ALLOW,
            List.of(FilterRange.allowing(MsrFilter.RANGE_READ, 0x174, 1)));

    private static Case caseOf(Step... steps) {
        return new Case("t.case", "a test case", "t", Citation.note("api.rst"), KernelRange.DEFAULT, VcpuSetup.DEFAULT, List.of(steps), AT);
    }

    private static Access rdmsr(int index, ExpectedExit exit, GuestExpectation guest) {
        return new Access(MsrOp.RDMSR, index, 0, exit, guest, AT);
    }

    private static Observation ran(AccessOutcome... outcomes) {
        return new Observation("kvm", List.of(new StepOutcome.FilterSet(0),
                new StepOutcome.GuestRan(List.of(outcomes), new RunEnd.Reported())));
    }

    private static final GuestExpectation GP = new GuestExpectation.Faults(GuestExpectation.Faults.GP);
    private static final GuestExpectation OK = new GuestExpectation.Completes(ValueExpectation.ANY);

    @Test
    void matchingObservationPasses() {
        Case c = caseOf(new Step.SetFilter(DENY_174, 0, AT), new Step.RunGuest(List.of(rdmsr(0x174, null, GP)), AT));
        Verdict v = Verdict.judge(c, ran(new AccessOutcome(List.of(), new GuestResult.Faulted(13, 0))));
        assertThat(v.passed()).isTrue();
        VerdictAssert.assertThat(v).conforms();
    }

    @Test
    void wrongExpectationFailsWithReadableMessage() {
        // The filter denies 0x174 and KVM faulted; a case that (wrongly) expects the read to complete must fail.
        Case wrong = caseOf(new Step.SetFilter(DENY_174, 0, AT), new Step.RunGuest(List.of(rdmsr(0x174, null, OK)), AT));
        Verdict v = Verdict.judge(wrong, ran(new AccessOutcome(List.of(), new GuestResult.Faulted(13, 0))));
        assertThat(v.passed()).isFalse();
        assertThat(v.mismatches()).extracting(Mismatch::kind).containsExactly(Mismatch.Kind.FILTER_OVER_ENFORCED);
        assertThatThrownBy(() -> VerdictAssert.assertThat(v).conforms())
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("step 2 (specs/t.yaml:7) access 1 (specs/t.yaml:7): Expected RDMSR(0x174) to complete, got: it faulted with #GP")
                .hasMessageContaining("got: it faulted with #GP");
    }

    @Test
    void leakedAccessIsFilterNotEnforced() {
        Case c = caseOf(new Step.SetFilter(DENY_174, 0, AT), new Step.RunGuest(List.of(rdmsr(0x174, null, GP)), AT));
        Verdict v = Verdict.judge(c, ran(new AccessOutcome(List.of(), new GuestResult.Completed(0x1234))));
        assertThat(v.mismatches()).singleElement().satisfies(m -> {
            assertThat(m.kind()).isEqualTo(Mismatch.Kind.FILTER_NOT_ENFORCED);
            assertThat(m.message()).isEqualTo("Expected #GP on RDMSR(0x174), got: it completed with value 0x1234");
        });
    }

    @Test
    void missingFilterExitNamesTheAccessAndWhatHappened() {
        ExpectedExit exit = new ExpectedExit(ExitReason.FILTER, ValueExpectation.exactly(0), new UserspaceAnswer(0, 5));
        Case c = caseOf(new Step.SetFilter(DENY_174, 0, AT),
                new Step.RunGuest(List.of(rdmsr(0x10, exit, new GuestExpectation.Completes(ValueExpectation.exactly(5)))), AT));
        Verdict v = Verdict.judge(c, ran(new AccessOutcome(List.of(), new GuestResult.Completed(0x1234))));
        assertThat(v.mismatches()).singleElement().satisfies(m -> {
            assertThat(m.kind()).isEqualTo(Mismatch.Kind.FILTER_NOT_ENFORCED);
            assertThat(m.message()).isEqualTo("Expected FILTER exit on RDMSR(0x10), got no exit: the access completed with value 0x1234");
        });
    }

    @Test
    void exitWithWrongReasonAndDataIsWrongExit() {
        ExpectedExit exit = new ExpectedExit(ExitReason.FILTER, ValueExpectation.exactly(0), new UserspaceAnswer(1, 0));
        Case c = caseOf(new Step.SetFilter(DENY_174, 0, AT), new Step.RunGuest(List.of(rdmsr(0x174, exit, GP)), AT));
        Verdict v = Verdict.judge(c, ran(new AccessOutcome(List.of(new MsrExit(MsrOp.RDMSR, 2, 0x174, 9)),
                new GuestResult.Faulted(13, 0))));
        assertThat(v.mismatches()).singleElement().satisfies(m -> {
            assertThat(m.kind()).isEqualTo(Mismatch.Kind.WRONG_EXIT);
            assertThat(m.message()).startsWith("Expected FILTER exit on RDMSR(0x174), got reason UNKNOWN, data 0x9 instead of 0x0");
        });
    }

    @Test
    void anExitWhoseErrorOrPadIsNotPresetToZeroIsAWrongExit() {
        ExpectedExit exit = new ExpectedExit(ExitReason.FILTER, ValueExpectation.exactly(0), new UserspaceAnswer(1, 0));
        Case c = caseOf(new Step.SetFilter(DENY_174, 0, AT), new Step.RunGuest(List.of(rdmsr(0x174, exit, GP)), AT));
        Verdict v = Verdict.judge(c, ran(new AccessOutcome(List.of(new MsrExit(MsrOp.RDMSR, ExitReason.FILTER.bit, 0x174, 0, 1)),
                new GuestResult.Faulted(13, 0))));
        assertThat(v.mismatches()).singleElement().satisfies(m -> {
            assertThat(m.kind()).isEqualTo(Mismatch.Kind.WRONG_EXIT);
            assertThat(m.message()).contains("msr.error and pad not preset to 0 (bytes 0x0000000000000001)");
        });
    }

    @Test
    void unexpectedFilterExitIsOverEnforced() {
        Case c = caseOf(new Step.SetFilter(DENY_174, 0, AT), new Step.RunGuest(List.of(rdmsr(0x175, null, OK)), AT));
        Verdict v = Verdict.judge(c, ran(new AccessOutcome(List.of(new MsrExit(MsrOp.RDMSR, 4, 0x175, 0)),
                new GuestResult.Faulted(13, 0))));
        assertThat(v.mismatches()).singleElement().extracting(Mismatch::kind).isEqualTo(Mismatch.Kind.FILTER_OVER_ENFORCED);
    }

    @Test
    void wrongIoctlResultNamesBothErrnos() {
        Case c = caseOf(new Step.SetFilter(new MsrFilter(0x80, List.of()), 22, AT));
        Verdict v = Verdict.judge(c, new Observation("kvm", List.of(new StepOutcome.FilterSet(0))));
        assertThat(v.mismatches()).singleElement().satisfies(m -> {
            assertThat(m.kind()).isEqualTo(Mismatch.Kind.IOCTL_RESULT);
            assertThat(m.message()).startsWith("Expected KVM_X86_SET_MSR_FILTER to return EINVAL (22), got ok (0) for filter: default ALLOW (+ unknown filter flags 0x80)");
        });
    }

    @Test
    void aSuccessThatReturnsAnythingButZeroIsAMismatch() {
        // A kernel mutant (kvm_vm_ioctl_set_msr_filter() returning 1) that only the kernel's selftest caught at first.
        Case c = caseOf(new Step.SetFilter(DENY_174, 0, AT), new Step.EnableExits(1, 0, AT));
        Verdict v = Verdict.judge(c, new Observation("kvm", List.of(new StepOutcome.FilterSet(0, 1), new StepOutcome.ExitsEnabled(0, 1))));
        assertThat(v.mismatches()).extracting(Mismatch::message).satisfiesExactly(
                m -> assertThat(m).startsWith("Expected KVM_X86_SET_MSR_FILTER to return ok (0), got 1 for filter"),
                m -> assertThat(m).isEqualTo("Expected KVM_ENABLE_CAP(KVM_CAP_X86_USER_SPACE_MSR, 0x1) to return ok (0), got 1"));
        assertThat(Verdict.judge(c, new Observation("kvm", List.of(new StepOutcome.FilterSet(0), new StepOutcome.ExitsEnabled(0)))).passed())
                .isTrue();
    }

    @Test
    void anAccessPausedInItsExitIsJudgedByItsExitThenByTheContinueStep() {
        ExpectedExit exit = new ExpectedExit(ExitReason.FILTER, ValueExpectation.exactly(0), new UserspaceAnswer(0, 5), "in-exit");
        Access paused = rdmsr(0x174, exit, new GuestExpectation.Completes(ValueExpectation.exactly(5)));
        Step.RunGuest run = new Step.RunGuest(List.of(paused), AT);
        Step.RunGuest resume = new Step.RunGuest(List.of(rdmsr(0x175, null, OK)), new Step.Resume("in-exit", paused, 1), null, AT);
        Case c = caseOf(new Step.SetFilter(DENY_174, 0, AT), run, resume);
        MsrExit seen = new MsrExit(MsrOp.RDMSR, ExitReason.FILTER.bit, 0x174, 0);
        StepOutcome inExit = new StepOutcome.GuestRan(List.of(new AccessOutcome(List.of(seen), new GuestResult.NotRun())),
                new RunEnd.InExit(seen, "in-exit"));
        StepOutcome answered = new StepOutcome.GuestRan(List.of(new AccessOutcome(List.of(), new GuestResult.Completed(1))),
                new RunEnd.Reported(), new AccessOutcome(List.of(seen), new GuestResult.Completed(5)));
        assertThat(Verdict.judge(c, new Observation("kvm", List.of(new StepOutcome.FilterSet(0), inExit, answered))).passed()).isTrue();

        // The answer did not reach the guest: the continue step says so, naming the pause.
        StepOutcome lost = new StepOutcome.GuestRan(List.of(new AccessOutcome(List.of(), new GuestResult.Completed(1))),
                new RunEnd.Reported(), new AccessOutcome(List.of(seen), new GuestResult.Completed(0x1234)));
        assertThat(Verdict.judge(c, new Observation("kvm", List.of(new StepOutcome.FilterSet(0), inExit, lost))).mismatches())
                .singleElement().satisfies(m -> assertThat(m.toString()).contains("step 3 (specs/t.yaml:7) answering the exit paused at"
                        + " 'in-exit' (specs/t.yaml:7): Expected RDMSR(0x174) to read 0x5 after userspace answers error=0 data=0x5,"
                        + " got 0x1234"));

        // No exit at all: the run step ran on to its report, and the access is judged whole there.
        StepOutcome ranOn = new StepOutcome.GuestRan(List.of(new AccessOutcome(List.of(), new GuestResult.Completed(0x1234))),
                new RunEnd.Reported());
        StepOutcome nothingPending = new StepOutcome.GuestRan(List.of(new AccessOutcome(List.of(), new GuestResult.Completed(1))),
                new RunEnd.Reported());
        assertThat(Verdict.judge(c, new Observation("kvm", List.of(new StepOutcome.FilterSet(0), ranOn, nothingPending))).mismatches())
                .extracting(Mismatch::kind).containsExactly(Mismatch.Kind.FILTER_NOT_ENFORCED);
    }

    @Test
    void aContinueStepThatCouldNotResumeFailsTheRun() {
        Step.RunGuest run = new Step.RunGuest(List.of(rdmsr(0x175, null, OK)), null, "p", AT);
        Step.RunGuest resume = new Step.RunGuest(List.of(rdmsr(0x175, null, OK)), new Step.Resume("p", null, 1), null, AT);
        Case c = caseOf(new Step.SetFilter(DENY_174, 0, AT), run, resume);
        Observation o = new Observation("kvm", List.of(new StepOutcome.FilterSet(0),
                new StepOutcome.GuestRan(List.of(new AccessOutcome(List.of(), new GuestResult.NotRun())), new RunEnd.TimedOut(5000, 0)),
                new StepOutcome.GuestRan(List.of(new AccessOutcome(List.of(), new GuestResult.NotRun())),
                        new RunEnd.NotResumed("the step it continues ended with the guest did not report back within 5000 ms (0 exits seen)"))));
        assertThat(Verdict.judge(c, o).mismatches()).extracting(Mismatch::toString).containsExactly(
                "step 2 (specs/t.yaml:7): The guest run did not finish: the guest did not report back within 5000 ms (0 exits seen)"
                        + " (after 0 of 1 accesses)",
                "step 3 (specs/t.yaml:7): The guest run did not finish: the guest could not be resumed: the step it continues ended"
                        + " with the guest did not report back within 5000 ms (0 exits seen) (after 0 of 1 accesses)");
    }

    @Test
    void anAccessTheBackendCouldNotKnowIsNotJudgedButNamed() {
        Case c = caseOf(new Step.SetFilter(DENY_174, 0, AT), new Step.RunGuest(List.of(rdmsr(0x175, null,
                new GuestExpectation.Completes(ValueExpectation.exactly(5))), rdmsr(0x174, null, GP)), AT));
        String why = "the CPU decides";
        Verdict v = Verdict.judge(c, ran(new AccessOutcome(List.of(), new GuestResult.Completed(0x1234), why),
                new AccessOutcome(List.of(), new GuestResult.Faulted(13, 0))));
        assertThat(v.passed()).isTrue();
        assertThat(v.unchecked()).containsExactly("step 2 (specs/t.yaml:7) access 1 (specs/t.yaml:7) RDMSR(0x175): the CPU decides");
        assertThat(v.passMessage()).contains("not checked").contains("RDMSR(0x175): the CPU decides");

        // The other accesses are still judged.
        Verdict wrong = Verdict.judge(c, ran(new AccessOutcome(List.of(), new GuestResult.Completed(0x1234), why),
                new AccessOutcome(List.of(), new GuestResult.Completed(0))));
        assertThat(wrong.mismatches()).extracting(Mismatch::kind).containsExactly(Mismatch.Kind.FILTER_NOT_ENFORCED);
    }

    @Test
    void failedRunIsReportedOnceNotPerAccess() {
        Case c = caseOf(new Step.SetFilter(DENY_174, 0, AT),
                new Step.RunGuest(List.of(rdmsr(0x174, null, GP), rdmsr(0x175, null, OK)), AT));
        Observation o = new Observation("kvm", List.of(new StepOutcome.FilterSet(0), new StepOutcome.GuestRan(
                List.of(new AccessOutcome(List.of(), new GuestResult.Faulted(13, 0)), new AccessOutcome(List.of(), new GuestResult.NotRun())),
                new RunEnd.TimedOut(5000, 1))));
        Verdict v = Verdict.judge(c, o);
        assertThat(v.mismatches()).singleElement().satisfies(m -> {
            assertThat(m.kind()).isEqualTo(Mismatch.Kind.RUN_FAILED);
            assertThat(m.message()).isEqualTo("The guest run did not finish: the guest did not report back within 5000 ms (1 exits seen) (after 1 of 2 accesses)");
        });
    }

    @Test
    void hostMsrValueMismatchNamesTheMsr() {
        Case c = caseOf(new Step.HostGetMsrs(List.of(new Step.MsrRead(0x174, ValueExpectation.exactly(0x10))), 1, AT));
        Verdict v = Verdict.judge(c, new Observation("kvm", List.of(new StepOutcome.HostMsrsGot(1, List.of(0x18L)))));
        assertThat(v.mismatches()).singleElement().extracting(Mismatch::message)
                .isEqualTo("Expected KVM_GET_MSRS(0x174) to read 0x10, got 0x18");
    }
}
