package io.msrconf.emu.model;

/**
 * Thrown when a case reaches something the reference model knowingly does not emulate (an MSR or an
 * x2APIC register whose KVM behaviour it does not reproduce). The emulator backend turns it into a
 * skip with this message: the model never guesses, and never passes a case by accident.
 */
public final class ModelLimitation extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ModelLimitation(String message) {
        super(message);
    }
}
