package io.msrconf.target;

import java.nio.file.Path;

/** The cached Debian 6.1 kernel's image and module tree (see {@link GuestKernels}). */
public final class GuestKernelsAccess {

    private GuestKernelsAccess() {
    }

    public static Path debian61Image() {
        return KvmTarget.debian(GuestKernels.cachedDebian61()).image();
    }

    public static Path debian61Modules() {
        return KvmTarget.debian(GuestKernels.cachedDebian61()).modules().orElseThrow();
    }
}
