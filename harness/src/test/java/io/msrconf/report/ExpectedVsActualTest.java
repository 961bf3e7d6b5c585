package io.msrconf.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.msrconf.spec.Citation;
import io.msrconf.backend.AccessOutcome;
import io.msrconf.backend.Observation;
import io.msrconf.backend.RunEnd;
import io.msrconf.backend.StepOutcome;
import io.msrconf.filter.FilterRange;
import io.msrconf.filter.MsrFilter;
import io.msrconf.guest.GuestResult;
import io.msrconf.pipeline.Differential;
import io.msrconf.spec.Access;
import io.msrconf.spec.Case;
import io.msrconf.spec.GuestExpectation;
import io.msrconf.spec.KernelRange;
import io.msrconf.spec.MsrOp;
import io.msrconf.spec.SourceRef;
import io.msrconf.spec.Step;
import io.msrconf.spec.ValueExpectation;
import io.msrconf.spec.VcpuSetup;
import io.msrconf.verdict.Verdict;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The report's "expected vs actual" marks the rows where the verdict found a mismatch, and only those. */
class ExpectedVsActualTest {

    @Test
    void theRowsOfMismatchesAreMarked() {
        SourceRef at = new SourceRef(Path.of("specs/t.yaml"), 3);
        MsrFilter deny174 = new MsrFilter(MsrFilter.DEFAULT_ALLOW, List.of(FilterRange.allowing(MsrFilter.RANGE_READ, 0x174, 1)));
        Access denied = new Access(MsrOp.RDMSR, 0x174, 0, null, new GuestExpectation.Faults(GuestExpectation.Faults.GP), at);
        Access allowed = new Access(MsrOp.RDMSR, 0x175, 0, null, new GuestExpectation.Completes(ValueExpectation.ANY), at);
        Case c = new Case("t.c", "t", "t", Citation.note("c"), KernelRange.DEFAULT, VcpuSetup.DEFAULT,
                List.of(new Step.SetFilter(deny174, 0, at), new Step.RunGuest(List.of(allowed, denied), at)), at);
        // The filter was accepted and the first read completed, but the denied read got through.
        Observation o = new Observation("kvm", List.of(new StepOutcome.FilterSet(0), new StepOutcome.GuestRan(List.of(
                new AccessOutcome(List.of(), new GuestResult.Completed(1)), new AccessOutcome(List.of(), new GuestResult.Completed(2))),
                new RunEnd.Reported())));
        Verdict v = Verdict.judge(c, o);
        List<String> rows = Attachments.sideBySide(c, Differential.normalForm(c, o), v).lines().toList();
        assertThat(rows).hasSize(5);
        assertThat(rows.get(0)).startsWith("  expected");
        assertThat(rows.get(1)).startsWith("  step 1: KVM_X86_SET_MSR_FILTER returns ok (0)");
        assertThat(rows.get(2)).startsWith("  step 2: run reports completion");
        assertThat(rows.get(3)).startsWith("    RDMSR(0x175)");
        assertThat(rows.get(4)).startsWith("!   RDMSR(0x174): fault with #GP, no exit").endsWith("RDMSR(0x174): completed with value 0x2");
    }
}
