package io.msrconf.target;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * A kernel to boot under QEMU: its image (bzImage/vmlinuz), its {@code lib/modules/RELEASE} tree (absent
 * when virtio-serial and KVM are built in), the module parameters every test guest gets, and programs the
 * guest carries under /programs/NAME for the agent to run (the kernel's own selftests; usually none).
 */
public record GuestKernel(Path image, Optional<Path> modules, Map<String, String> moduleParameters, Map<String, Path> programs) {

    public GuestKernel {
        moduleParameters = Map.copyOf(moduleParameters);
        programs = Map.copyOf(programs);
        for (String name : programs.keySet()) {
            if (!name.matches("[A-Za-z0-9_.-]+")) {
                throw new IllegalArgumentException("a guest program's name is one file name, got '" + name + "'");
            }
        }
    }

    public GuestKernel(Path image, Optional<Path> modules, Map<String, String> moduleParameters) {
        this(image, modules, moduleParameters, Map.of());
    }

    /** The same kernel carrying these programs too. */
    public GuestKernel withPrograms(Map<String, Path> more) {
        Map<String, Path> all = new java.util.TreeMap<>(programs);
        all.putAll(more);
        return new GuestKernel(image, modules, moduleParameters, all);
    }
}
