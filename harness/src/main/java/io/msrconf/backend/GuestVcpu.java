package io.msrconf.backend;

import io.msrconf.vcpu.GuestMemory;
import io.msrconf.vcpu.VcpuExit;

/**
 * A vCPU as the run loop ({@link GuestRun}) drives it: real KVM's or the emulator's. The loop knows
 * nothing else about the engine underneath.
 */
public interface GuestVcpu {

    /** The vCPU's id (KVM_CREATE_VCPU): which script table and stack of the layout are its own. */
    int id();

    /** Puts the vCPU at the payload's entry in the layout's start state: every run starts there. */
    void resetToStart();

    /** Runs until the guest exits or {@code deadlineNanos} passes ({@link VcpuExit.Interrupted}). */
    VcpuExit run(long deadlineNanos);

    /** Userspace's answer to the last {@link VcpuExit.Msr}, applied when the vCPU runs again. */
    void completeMsrExit(int error, long data);

    /** The guest memory the vCPU runs in (the script table is read back from it). */
    GuestMemory memory();

    /**
     * The script entries (by number since the guest started) whose outcome the engine could not know, with
     * why: the emulator's model says so for an access whose result the CPU decides; real KVM knows all of its own.
     */
    default java.util.Map<Integer, String> unmodelledEntries() {
        return java.util.Map.of();
    }

    /** The registers and where RIP is in the payload, for the report of a run that crashed. */
    String describeState();
}
