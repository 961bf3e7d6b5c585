package io.msrconf.emu.cpu;

import io.msrconf.vcpu.VcpuExit;

/**
 * Ends the run from deep inside an instruction (a guest access to unbacked memory) with the exit the
 * interpreter returns. The instruction has not changed any register when it is thrown.
 */
final class ExitSignal extends RuntimeException {

    private static final long serialVersionUID = 1L;

    final transient VcpuExit exit;

    ExitSignal(VcpuExit exit) {
        super(null, null, false, false);
        this.exit = exit;
    }
}
