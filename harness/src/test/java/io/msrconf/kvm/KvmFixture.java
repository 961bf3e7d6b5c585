package io.msrconf.kvm;

import io.msrconf.kvm.local.LocalKvm;
import io.msrconf.target.TestTargets;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * For test classes that need a real KVM ({@code @RegisterExtension static final KvmFixture KVM = new KvmFixture();}):
 * {@link #kvm()} is the shared guest kernel's KVM ({@link TestTargets#guest()}, so these tests run on every
 * machine), {@link #local()} this machine's /dev/kvm for the tests of the local transport itself, which are
 * skipped with the reason where there is none.
 */
public final class KvmFixture implements BeforeEachCallback {

    private final boolean needsLocal;

    public KvmFixture() {
        this(false);
    }

    private KvmFixture(boolean needsLocal) {
        this.needsLocal = needsLocal;
    }

    /** For the tests of the local transport: each is skipped, with the reason, where /dev/kvm cannot be used. */
    public static KvmFixture forLocalTransport() {
        return new KvmFixture(true);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (needsLocal) {
            LocalKvm.unavailableReason().ifPresent(Assumptions::abort);
        } else {
            TestTargets.guest();
        }
    }

    /** The KVM the class's tests drive: the shared guest's. */
    public Kvm kvm() {
        return TestTargets.guest().kvm();
    }

    /** This machine's KVM through the local transport. */
    public LocalKvm local() {
        return (LocalKvm) TestTargets.host().orElseThrow().kvm();
    }
}
