package io.msrconf.target;

/**
 * A KVM target cannot be used here, and the message says why in the user's terms: "/dev/kvm is absent",
 * "qemu-system-x86_64 is not installed (Debian package qemu-system-x86)", "the guest did not start its
 * agent within 120 s" followed by the end of its console. Checked, so that every command that opens a
 * target decides what an unusable one means for its exit status.
 */
public final class TargetUnavailable extends Exception {

    private static final long serialVersionUID = 1L;

    public TargetUnavailable(String message) {
        super(message);
    }

    public TargetUnavailable(String message, Throwable cause) {
        super(message, cause);
    }
}
