package io.msrconf.emu.cpu;

/** How an MSR access ends, as KVM's kvm_get_msr_with_filter / kvm_set_msr_with_filter plus the exit decision would have it. */
public sealed interface MsrResult {

    /** The access completes; for RDMSR {@code value} is loaded into EDX:EAX, for WRMSR it is ignored. */
    record Done(long value) implements MsrResult {
    }

    /** The access raises #GP(0) at the instruction. */
    record Fault() implements MsrResult {
    }

    /**
     * KVM_RUN returns -{@code errno}: an MSR handler failed with a negative error that no userspace exit takes
     * (kvm_emulate_wrmsr(): "Signal all other negative errors to userspace"). The instruction does not complete.
     */
    record RunFails(int errno) implements MsrResult {
    }

    /**
     * The access goes to userspace (KVM_EXIT_X86_RDMSR / WRMSR) with this reason and data (0 for reads,
     * the value for writes). The instruction is suspended until {@link Cpu#completeMsrExit} and the next run.
     */
    record ExitToUserspace(int reason, long data) implements MsrResult {
    }
}
