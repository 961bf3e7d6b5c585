package io.msrconf.emu.cpu;

/**
 * What RDMSR and WRMSR reach: the KVM model (MSR filter, MSR file, LAPIC, userspace exits) implements
 * it. The CPU passes ECX as the index and, for WRMSR, EDX:EAX as the value; it calls the port only for
 * an instruction that is otherwise allowed to execute (CPL 0), exactly once per execution.
 */
public interface MsrPort {

    MsrResult rdmsr(int index);

    MsrResult wrmsr(int index, long value);
}
