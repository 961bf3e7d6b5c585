package io.msrconf.kvm;

import io.msrconf.vcpu.VcpuExit;

/** A vCPU. Used by one thread at a time. */
public interface KvmVcpu {

    int id();

    void setCpuid(CpuidEntries cpuid);

    Registers getRegs();

    void setRegs(Registers regs);

    SpecialRegisters getSregs();

    void setSregs(SpecialRegisters sregs);

    /**
     * KVM_GET_MSRS: reads the MSRs in order and stops at the first one KVM refuses. The result's value
     * is how many were read (their values are in {@code valuesOut[0..n)}).
     */
    KvmResult getMsrs(int[] indexes, long[] valuesOut);

    /** KVM_SET_MSRS: the result's value is how many MSRs were written before the first refusal. */
    KvmResult setMsrs(int[] indexes, long[] values);

    /** KVM_GET_LAPIC: the in-kernel local APIC's register page ({@code KVM_APIC_REG_SIZE} bytes). */
    byte[] getLapic();

    /** KVM_SET_LAPIC: replaces the in-kernel local APIC's registers with a page from {@link #getLapic()}. */
    void setLapic(byte[] state);

    /** KVM_SET_MP_STATE, e.g. {@link #MP_STATE_RUNNABLE} for a vCPU other than the boot processor. */
    void setMpState(int state);

    /** {@code KVM_MP_STATE_RUNNABLE}. */
    int MP_STATE_RUNNABLE = 0;

    /**
     * One KVM_RUN that returns at the latest shortly after {@code deadlineNanos} (a {@link System#nanoTime()}
     * value) with {@link VcpuExit.Interrupted}; already past, it returns that without entering the guest.
     * A run loop passes the same deadline on each call.
     */
    VcpuExit run(long deadlineNanos);

    /**
     * Userspace's answer to the last {@link VcpuExit.Msr}, as it writes {@code kvm_run.msr} before the
     * next KVM_RUN: {@code error} (u8; non-zero makes KVM inject #GP) and, for a read, {@code data}.
     */
    void completeMsrExit(int error, long data);
}
