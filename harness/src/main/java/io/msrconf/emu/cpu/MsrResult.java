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
     * KVM's instruction emulator gives up on the instruction (X86EMUL_UNHANDLEABLE): KVM queues #UD and, for a guest at
     * CPL 0, KVM_RUN returns KVM_EXIT_INTERNAL_ERROR with KVM_INTERNAL_ERROR_EMULATION (handle_emulation_failure()).
     * Only for an instruction run through the emulator ({@link MsrPort#emulatedWrmsr}).
     */
    record EmulationFails() implements MsrResult {
    }

    /**
     * The access goes to userspace (KVM_EXIT_X86_RDMSR / WRMSR) with this reason and data (0 for reads,
     * the value for writes). The instruction is suspended until {@link Cpu#completeMsrExit} and the next run.
     */
    record ExitToUserspace(int reason, long data) implements MsrResult {
    }
}
