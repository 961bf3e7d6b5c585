package io.msrconf.emu.cpu;

/**
 * What RDMSR and WRMSR reach: the KVM model (MSR filter, MSR file, LAPIC, userspace exits) implements
 * it. The CPU passes ECX as the index and, for WRMSR, EDX:EAX as the value; it calls the port only for
 * an instruction that is otherwise allowed to execute (CPL 0), exactly once per execution.
 *
 * <p>It also answers what KVM decides for instructions it emulates: whether its forced-emulation
 * prefix is honoured, and the MSR reads its instruction emulator makes as a side effect of another
 * instruction. The defaults are those of a KVM without forced emulation.
 */
public interface MsrPort {

    MsrResult rdmsr(int index);

    MsrResult wrmsr(int index, long value);

    /**
     * A WRMSR KVM's instruction emulator runs (em_wrmsr(), behind the forced-emulation prefix): as {@link #wrmsr}, except
     * that a negative error of the MSR's handler may fail the emulation ({@link MsrResult.EmulationFails}) where the
     * intercepted WRMSR makes KVM_RUN fail.
     */
    default MsrResult emulatedWrmsr(int index, long value) {
        return wrmsr(index, value);
    }

    /**
     * Whether KVM honours its forced-emulation prefix ({@code ud2; .ascii "kvm"}): the module parameter
     * kvm.force_emulation_prefix. When it does, the prefix does not raise #UD: handle_ud() moves RIP past
     * it and KVM's instruction emulator runs the next instruction.
     */
    default boolean forcedEmulationPrefix() {
        return false;
    }

    /**
     * A read KVM's instruction emulator makes as a side effect of another instruction (ctxt->ops->get_msr,
     * e.g. em_rdtsc() reading IA32_TSC): {@link MsrResult.Done} with the value, or {@link MsrResult.Fault}
     * when KVM's read fails (what the instruction then does is the emulator handler's business). It never
     * exits to userspace.
     */
    default MsrResult emulatorImplicitRead(int index) {
        return new MsrResult.Fault();
    }

    /** The guest's time-stamp counter as a native RDTSC reads it: no MSR access, no filter, no exit. */
    default long tsc() {
        return 0;
    }
}
