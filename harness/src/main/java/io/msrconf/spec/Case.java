package io.msrconf.spec;

import java.util.List;

/**
 * One conformance case, entirely data: where it comes from, what it checks and on which kernels,
 * the vCPU setup and the ordered steps with their expectations.
 *
 * @param id       stable identifier, unique across all specs (a history key: never rename casually)
 * @param area     the spec file's area, e.g. "filter-ranges"
 * @param citation the documentation clause or kernel function the expectations come from
 * @param requires the vendor module and module parameters the KVM must have, beyond the kernel version
 * @param rules    the rules of specs/rules.yaml the case checks, by number (RulesTest holds every rule to a case)
 */
public record Case(String id, String title, String area, Citation citation, KernelRange kernels, VcpuSetup vcpu,
                   List<Step> steps, SourceRef source, Requirements requires, List<Integer> rules) {

    public Case {
        steps = List.copyOf(steps);
        rules = List.copyOf(rules);
    }

    public Case(String id, String title, String area, Citation citation, KernelRange kernels, VcpuSetup vcpu,
                List<Step> steps, SourceRef source, Requirements requires) {
        this(id, title, area, citation, kernels, vcpu, steps, source, requires, List.of());
    }

    /** A case any KVM of its kernel range can run. */
    public Case(String id, String title, String area, Citation citation, KernelRange kernels, VcpuSetup vcpu,
                List<Step> steps, SourceRef source) {
        this(id, title, area, citation, kernels, vcpu, steps, source, Requirements.NONE);
    }

    /** Whether the setup creates vCPU 0 (with its CPUID) before the steps: unless a create-vcpu step creates it. */
    public boolean setupCreatesVcpu0() {
        return steps.stream().noneMatch(s -> s instanceof Step.CreateVcpu c && c.id() == 0);
    }

    /** Whether any step creates a vCPU: then the case's VM is built in its own order, not reused. */
    public boolean createsVcpus() {
        return steps.stream().anyMatch(s -> s instanceof Step.CreateVcpu);
    }

    /**
     * Whether the case's VM must be new, built in the case's own order: a case that creates its vCPUs in steps
     * (the setup order is the point), that configures Xen's hypercall MSR (a state of the VM that the reuse of one VM
     * across cases does not put back), or that makes an emulation fail (the #UD KVM queues then, likewise).
     */
    public boolean needsFreshVm() {
        return createsVcpus() || usesXenHvmConfig() || failsAnEmulation();
    }

    /** Whether a step expects KVM's emulation of an access to fail: KVM leaves a #UD queued, which a reused VM would inherit. */
    public boolean failsAnEmulation() {
        return steps.stream().anyMatch(s -> s instanceof Step.RunGuest r && r.endsInEmulationFailure());
    }

    /** Whether any step configures Xen's hypercall MSR: then the case needs KVM_CAP_XEN_HVM. */
    public boolean usesXenHvmConfig() {
        return steps.stream().anyMatch(s -> s instanceof Step.XenHvmConfig);
    }

    /** Whether any step sets a filter: then the case needs KVM_CAP_X86_MSR_FILTER. */
    public boolean usesFilter() {
        return steps.stream().anyMatch(s -> s instanceof Step.SetFilter);
    }

    /** Whether any access runs behind KVM's forced-emulation prefix: then the case needs kvm.force_emulation_prefix. */
    public boolean usesForcedEmulation() {
        return steps.stream().anyMatch(s -> s instanceof Step.RunGuest r && r.accesses().stream().anyMatch(a -> a.op().forcedEmulation()));
    }
}
