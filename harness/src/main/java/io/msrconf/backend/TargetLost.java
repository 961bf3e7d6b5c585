package io.msrconf.backend;

/**
 * The KVM a case ran on went away in the middle of it (a guest kernel crashed or hung): the case has no
 * observation, only this. The pipeline reports it as a broken run, never as a kernel verdict.
 */
public final class TargetLost extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public TargetLost(String message, Throwable cause) {
        super(message, cause);
    }
}
