package io.msrconf.spec;

/**
 * Userspace's completion of an MSR exit: {@code msr.error} (u8; non-zero makes KVM inject #GP) and
 * {@code msr.data} (the value a completed RDMSR returns; ignored for WRMSR).
 */
public record UserspaceAnswer(int error, long data) {

    /** What the harness answers to an exit the case did not expect: refuse it, so the guest sees #GP. */
    public static final UserspaceAnswer REFUSE = new UserspaceAnswer(1, 0);

    public String describe() {
        return error == 0 ? String.format("userspace answers error=0 data=0x%x", data)
                : "userspace answers error=" + error;
    }
}
