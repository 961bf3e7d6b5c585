package io.msrconf.matrix;

import java.nio.file.Path;

/** The cached Debian 6.1 kernel's image and module tree, for tests in other packages (see {@link GuestKernels}). */
public final class GuestKernelsAccess {

    private GuestKernelsAccess() {
    }

    public static Path debian61Image() {
        return KernelTarget.debian(GuestKernels.cachedDebian61()).image();
    }

    public static Path debian61Modules() {
        return KernelTarget.debian(GuestKernels.cachedDebian61()).modules().orElseThrow();
    }
}
