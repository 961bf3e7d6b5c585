package io.msrconf.target;

import io.msrconf.kvm.local.LocalKvm;
import java.util.Optional;

/**
 * What {@code --kvm auto} (every command's default) tests: this machine's /dev/kvm when it can be used,
 * else {@link KvmTarget#DEFAULT_GUEST} booted under QEMU when QEMU is installed, else nothing, with the
 * reasons for both.
 */
public final class AutoTarget {

    /** The pick, and why, in words for the command's first line. */
    public record Choice(Optional<KvmTarget> target, String why) {
    }

    private AutoTarget() {
    }

    public static Choice choose() {
        Optional<String> noHost = LocalKvm.unavailableReason();
        if (noHost.isEmpty()) {
            return new Choice(Optional.of(KvmTarget.parse("host")), "this machine's /dev/kvm can be used");
        }
        Optional<String> noGuest = AgentGuest.unavailableReason();
        if (noGuest.isEmpty()) {
            return new Choice(Optional.of(KvmTarget.parse(KvmTarget.DEFAULT_GUEST)),
                    "this machine's KVM cannot be used (" + noHost.get() + ")");
        }
        return new Choice(Optional.empty(), "this machine's KVM cannot be used (" + noHost.get()
                + ") and no kernel can be booted under QEMU (" + noGuest.get() + ")");
    }
}
