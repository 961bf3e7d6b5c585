package io.msrconf.pipeline;

import io.msrconf.backend.Backend;
import io.msrconf.backend.EmulatorBackend;
import io.msrconf.backend.KvmBackend;
import io.msrconf.kvm.Kvm;
import io.msrconf.kvm.local.LocalKvm;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A backend the suite runs on, with the target its results are of: kernel ranges and known deviations
 * are checked against that target, and reports name it. {@code facts} describe the KVM behind the
 * backend for the report's environment (empty for the emulator).
 */
public record BackendUnderTest(Backend backend, TargetInfo target, Map<String, String> facts, AutoCloseable owned)
        implements AutoCloseable {

    public BackendUnderTest {
        facts = Map.copyOf(facts);
    }

    public String name() {
        return backend.name();
    }

    /** KVM on {@code kvm} (fresh VMs), which the caller keeps open; {@code targetName} names it in reports. */
    public static BackendUnderTest kvm(String targetName, Kvm kvm, KvmBackend.Options options) {
        return new BackendUnderTest(KvmBackend.on(kvm, options), TargetInfo.of(targetName, kvm), KvmFacts.of(kvm), null);
    }

    /** KVM that cannot be used: every case is skipped with the reason. */
    public static BackendUnderTest kvmUnavailable(TargetInfo target, String reason) {
        return new BackendUnderTest(KvmBackend.unavailable(reason), target, KvmFacts.unavailable(reason), null);
    }

    /** This machine's /dev/kvm, or every KVM case skipped with the reason it cannot be used. */
    public static BackendUnderTest hostKvm() {
        Optional<String> reason = LocalKvm.unavailableReason();
        if (reason.isPresent()) {
            return kvmUnavailable(TargetInfo.read(), reason.get());
        }
        LocalKvm kvm = LocalKvm.open();
        try {
            BackendUnderTest b = kvm("host", kvm, KvmBackend.Options.defaults());
            return new BackendUnderTest(b.backend(), b.target(), b.facts(), kvm);
        } catch (RuntimeException | Error e) {
            kvm.close();
            throw e;
        }
    }

    /** The emulator, judged as the kernel {@code modelled} runs (kernel ranges are checked against it). */
    public static BackendUnderTest emulator(TargetInfo modelled) {
        return new BackendUnderTest(EmulatorBackend.create(), modelled, new LinkedHashMap<>(), null);
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
