package io.msrconf.fuzz;

import io.msrconf.abi.ExitReason;
import io.msrconf.abi.Msr;
import io.msrconf.backend.AccessOutcome;
import io.msrconf.backend.MsrExit;
import io.msrconf.backend.Observation;
import io.msrconf.backend.StepOutcome;
import io.msrconf.guest.GuestResult;
import io.msrconf.spec.Access;
import io.msrconf.spec.Case;
import io.msrconf.spec.ExpectedExit;
import io.msrconf.spec.GuestExpectation;
import io.msrconf.spec.MsrOp;
import io.msrconf.spec.Step;
import io.msrconf.spec.UserspaceAnswer;
import io.msrconf.spec.ValueExpectation;
import java.util.ArrayList;
import java.util.List;

/** A case rewritten to expect what a backend observed: how a fuzz disagreement becomes a spec case to review. */
public final class ObservedCase {

    private ObservedCase() {
    }

    /**
     * The case with its expectations replaced by what {@code observed} saw: the filter's errno, each
     * access's exit (with the case's answer) and result. A read of IA32_TSC expects any value, and an
     * access that never ran keeps the case's expectation (the report shows the observation anyway).
     */
    public static Case expectingObserved(Case c, Observation observed, String id) {
        List<Step> steps = new ArrayList<>();
        for (int i = 0; i < c.steps().size(); i++) {
            Step step = c.steps().get(i);
            StepOutcome outcome = i < observed.steps().size() ? observed.steps().get(i) : null;
            if (step instanceof Step.SetFilter s && outcome instanceof StepOutcome.FilterSet f) {
                steps.add(new Step.SetFilter(s.filter(), f.errno(), s.source()));
            } else if (step instanceof Step.RunGuest r && outcome instanceof StepOutcome.GuestRan ran) {
                List<Access> accesses = new ArrayList<>();
                for (int a = 0; a < r.accesses().size(); a++) {
                    accesses.add(a < ran.accesses().size() ? observedAccess(r.accesses().get(a), ran.accesses().get(a))
                            : r.accesses().get(a));
                }
                steps.add(new Step.RunGuest(accesses, r.vcpu(), r.resume(), r.pause(), r.source()));
            } else {
                steps.add(step);
            }
        }
        return new Case(id, c.title(), c.area(), c.citation(), c.kernels(), c.vcpu(), steps, c.source(), c.requires());
    }

    private static Access observedAccess(Access access, AccessOutcome outcome) {
        ExpectedExit exit = null;
        if (!outcome.exits().isEmpty()) {
            MsrExit first = outcome.exits().get(0);
            UserspaceAnswer answer = access.exit() != null ? access.exit().answer() : UserspaceAnswer.REFUSE;
            exit = ExitReason.ofBit(first.reason())
                    .map(reason -> new ExpectedExit(reason, ValueExpectation.exactly(first.data()), answer,
                            access.exit() != null ? access.exit().pause() : null))
                    .orElse(access.exit());
        }
        GuestExpectation guest = access.guest();
        if (outcome.result() instanceof GuestResult.Completed done) {
            boolean anyValue = access.op().writes() || access.index() == Msr.MSR_IA32_TSC;
            guest = new GuestExpectation.Completes(anyValue ? ValueExpectation.ANY : ValueExpectation.exactly(done.value()));
        } else if (outcome.result() instanceof GuestResult.Faulted fault) {
            guest = new GuestExpectation.Faults(fault.vector());
        }
        return new Access(access.op(), access.index(), access.value(), exit, guest, access.source());
    }

}
