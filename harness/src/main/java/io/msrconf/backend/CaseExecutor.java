package io.msrconf.backend;

import io.msrconf.kvm.KvmResult;
import io.msrconf.spec.Case;
import io.msrconf.spec.Step;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
        // One guest per vCPU, across that vCPU's run and continue steps.
        Map<Integer, GuestRun.Session> guests = new HashMap<>();
        Step.Visitor<StepOutcome> dispatch = new Step.Visitor<>() {
            @Override
            public StepOutcome setFilter(Step.SetFilter step) {
                KvmResult r = vm.setMsrFilter(step.filter());
                return new StepOutcome.FilterSet(r.errno(), r.value());
            }

            @Override
            public StepOutcome runGuest(Step.RunGuest step) {
                if (!vm.hasVcpu(step.vcpu())) {
                    return noVcpu(step.vcpu());
                }
                return guests.computeIfAbsent(step.vcpu(), id -> guestRun.session(vm.vcpu(id))).run(step);
            }

            @Override
            public StepOutcome hostSetMsrs(Step.HostSetMsrs step) {
                if (!vm.hasVcpu(step.vcpu())) {
                    return noVcpu(step.vcpu());
                }
                return new StepOutcome.HostMsrsSet(vm.hostSetMsrs(step.vcpu(), step.indexes(), step.values()).asReturn());
            }

            @Override
            public StepOutcome enableExits(Step.EnableExits step) {
                KvmResult r = vm.enableUserSpaceMsr(step.mask(), step.capFlags());
                return new StepOutcome.ExitsEnabled(r.errno(), r.value());
            }

            @Override
            public StepOutcome xenHvmConfig(Step.XenHvmConfig step) {
                return new StepOutcome.XenConfigured(vm.xenHvmConfig(step.msr(), step.blobPages()).errno());
            }

            @Override
            public StepOutcome checkExtension(Step.CheckExtension step) {
                return new StepOutcome.ExtensionChecked(vm.checkExtension(step.cap()));
            }

            @Override
            public StepOutcome createVcpu(Step.CreateVcpu step) {
                KvmResult created = vm.createVcpu(step.id());
                if (!created.ok() || step.cpuidLater()) {
                    return new StepOutcome.VcpuSetUp("KVM_CREATE_VCPU(" + step.id() + ")", created.errno());
                }
                return new StepOutcome.VcpuSetUp("KVM_CREATE_VCPU(" + step.id() + ") and KVM_SET_CPUID2", vm.setCpuid(step.id()).errno());
            }

            @Override
            public StepOutcome setCpuid(Step.SetCpuid step) {
                if (!vm.hasVcpu(step.id())) {
                    return noVcpu(step.id());
                }
                return new StepOutcome.VcpuSetUp("KVM_SET_CPUID2 on vCPU " + step.id(), vm.setCpuid(step.id()).errno());
            }

            @Override
            public StepOutcome hostGetMsrs(Step.HostGetMsrs step) {
                if (!vm.hasVcpu(step.vcpu())) {
                    return noVcpu(step.vcpu());
                }
                long[] values = new long[step.msrs().size()];
                KvmResult result = vm.hostGetMsrs(step.vcpu(), step.indexes(), values);
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

    private static StepOutcome noVcpu(int id) {
        return new StepOutcome.NotRun("vCPU " + id + " does not exist: KVM did not create it");
    }
}
