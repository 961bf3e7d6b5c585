package io.msrconf.kvm;

import io.msrconf.kvm.local.LocalKvm;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * For test classes that need a KVM ({@code @RegisterExtension static final KvmFixture KVM = new KvmFixture();}):
 * opens one {@link Kvm} for the class and closes it after, and skips each test with the reason where
 * KVM cannot be used here (per test, so the report shows every test as skipped, not the class).
 */
public final class KvmFixture implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback {

    private final Optional<String> unavailable = LocalKvm.unavailableReason();
    private LocalKvm kvm;

    @Override
    public void beforeAll(ExtensionContext context) {
        if (unavailable.isEmpty()) {
            kvm = LocalKvm.open();
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        unavailable.ifPresent(Assumptions::abort);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (kvm != null) {
            kvm.close();
            kvm = null;
        }
    }

    /** The class's KVM; only called from tests, which run only where KVM is usable. */
    public Kvm kvm() {
        return kvm;
    }

    /** This machine's KVM through the local transport, for tests of that transport itself. */
    public LocalKvm local() {
        return kvm;
    }
}
