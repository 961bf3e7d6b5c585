package io.msrconf.backend;

import io.msrconf.spec.Case;

/**
 * Where a backend's VMs come from: a fresh one per case, or one VM reset between cases. The engine
 * half of a backend; {@link EngineBackend} pairs it with the step dispatcher.
 */
public interface CaseVmSource extends AutoCloseable {

    /** A VM set up for the case's vCPU setup. */
    CaseVm open(Case c);

    /**
     * The case is done with the VM. {@code atRest}: every guest run ended with the guest's own report, so
     * the vCPU is between instructions and a reset can be trusted; otherwise a reusing source discards it.
     */
    void release(CaseVm vm, boolean atRest);

    @Override
    void close();
}
