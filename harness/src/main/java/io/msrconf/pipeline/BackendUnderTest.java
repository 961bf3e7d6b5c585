package io.msrconf.pipeline;

import io.msrconf.backend.Backend;
import io.msrconf.backend.EmulatorBackend;
import io.msrconf.backend.KvmBackend;
import io.msrconf.emu.model.ModelProfile;
import io.msrconf.kvm.Kvm;
import io.msrconf.target.OpenedTarget;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * A backend the suite runs on, with the target its results are of: kernel ranges and known deviations
 * are checked against that target, and reports name it. {@code facts} describe the KVM behind the
 * backend for the report's environment (empty for the emulator).
 */
public record BackendUnderTest(Backend backend, TargetInfo target, Map<String, String> facts, AutoCloseable owned,
                               Function<String, Optional<String>> moduleParameter) implements AutoCloseable {

    public BackendUnderTest {
        facts = Map.copyOf(facts);
    }

    public String name() {
        return backend.name();
    }

    /** KVM on {@code kvm} (fresh VMs), which the caller keeps open; {@code targetName} names it in reports. */
    public static BackendUnderTest kvm(String targetName, Kvm kvm, KvmBackend.Options options) {
        return new BackendUnderTest(KvmBackend.on(kvm, options), TargetInfo.of(targetName, kvm), KvmFacts.of(kvm), null,
                TargetInfo.moduleParametersOf(kvm));
    }

    /**
     * KVM on an opened target (this machine's, or a booted kernel's), which the caller keeps open and closes;
     * a guest that crashes in the middle of a case is booted again for the next (the case is reported broken).
     */
    public static BackendUnderTest kvm(OpenedTarget target, KvmBackend.Options options) {
        Map<String, String> facts = new LinkedHashMap<>(KvmFacts.of(target.kvm()));
        if (target.target().booted()) {
            facts.put("target.boot.seconds", String.format("%.1f", target.bootTime().toMillis() / 1000.0));
        }
        return new BackendUnderTest(KvmBackend.on(target, options), TargetInfo.of(target.name(), target.kvm()), facts, null,
                name -> TargetInfo.moduleParametersOf(target.kvm()).apply(name));   // the target's KVM of the moment (a lost guest is replaced)
    }

    /** KVM that cannot be used: every case is skipped with the reason. */
    public static BackendUnderTest kvmUnavailable(TargetInfo target, String reason) {
        return new BackendUnderTest(KvmBackend.unavailable(reason), target, KvmFacts.unavailable(reason), null, name -> Optional.empty());
    }

    /**
     * The emulator, judged as the kernel {@code modelled} runs (kernel ranges are checked against it), its
     * model of that kernel's vendor module given by {@code profile}.
     */
    public static BackendUnderTest emulator(TargetInfo modelled, ModelProfile profile, Function<String, Optional<String>> moduleParameter) {
        return new BackendUnderTest(EmulatorBackend.create(profile), modelled, Map.of("model.profile", profile.name()), null,
                moduleParameter);
    }

    @Override
    public void close() {
        try {
            backend.close();
        } finally {
            if (owned != null) {
                try {
                    owned.close();
                } catch (Exception e) {
                    throw new IllegalStateException("closing the KVM of " + target.name() + ": " + e.getMessage(), e);
                }
            }
        }
    }
}
