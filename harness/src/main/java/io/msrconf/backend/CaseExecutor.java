package io.msrconf.backend;

import io.msrconf.kvm.KvmResult;
import io.msrconf.spec.Case;
import io.msrconf.spec.Step;
import java.util.ArrayList;
import java.util.List;

/**
 * The step dispatcher: runs a case's steps, in order, on a {@link CaseVm} and records what each one
 * produced. The one place where a kind of step becomes VM operations, for every backend.
 */
public final class CaseExecutor {

    private final GuestRun guestRun;

    public CaseExecutor(GuestRun guestRun) {
        this.guestRun = guestRun;
    }

    public Observation execute(Case c, CaseVm vm, String backend) {
        List<StepOutcome> outcomes = new ArrayList<>(c.steps().size());
        GuestRun.Session guest = guestRun.session(vm.vcpu());
        Step.Visitor<StepOutcome> dispatch = new Step.Visitor<>() {
            @Override
            public StepOutcome setFilter(Step.SetFilter step) {
                return new StepOutcome.FilterSet(vm.setMsrFilter(step.filter()).errno());
            }

            @Override
            public StepOutcome runGuest(Step.RunGuest step) {
                return guest.run(step);
            }

            @Override
            public StepOutcome hostSetMsrs(Step.HostSetMsrs step) {
                return new StepOutcome.HostMsrsSet(vm.hostSetMsrs(step.indexes(), step.values()).asReturn());
            }

            @Override
            public StepOutcome enableExits(Step.EnableExits step) {
                return new StepOutcome.ExitsEnabled(vm.enableUserSpaceMsr(step.mask()).errno());
            }

            @Override
            public StepOutcome hostGetMsrs(Step.HostGetMsrs step) {
                long[] values = new long[step.msrs().size()];
                KvmResult result = vm.hostGetMsrs(step.indexes(), values);
                List<Long> got = new ArrayList<>();
                for (int i = 0; i < Math.min(result.value(), values.length); i++) {
                    got.add(values[i]);
                }
                return new StepOutcome.HostMsrsGot(result.asReturn(), got);
            }
        };
        for (Step step : c.steps()) {
            outcomes.add(step.accept(dispatch));
        }
        return new Observation(backend, outcomes);
    }
}
