package io.msrconf.target;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * A kernel to boot under QEMU: its image (bzImage/vmlinuz), its {@code lib/modules/RELEASE} tree (absent
 * when virtio-serial and KVM are built in) and the module parameters every test guest gets.
 */
public record GuestKernel(Path image, Optional<Path> modules, Map<String, String> moduleParameters) {
}
