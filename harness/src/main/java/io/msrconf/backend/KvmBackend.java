package io.msrconf.backend;

import io.msrconf.guest.Payload;
import io.msrconf.kvm.Kvm;
import io.msrconf.kvm.local.LocalKvm;
import io.msrconf.spec.Case;
import java.time.Duration;
import java.util.Optional;

/**
 * Runs cases on a real KVM ({@link Kvm}: this machine's, or one in a guest kernel): by default a fresh
 * VM per case ({@link FreshKvmVms}), or, for throughput, one VM reset between cases
 * ({@link ReusedKvmVm}). A case the KVM cannot run, or every case when there is no usable KVM, is
 * skipped with the reason.
 */
public final class KvmBackend implements Backend {

    public static final String NAME = "kvm";

    /**
     * @param reuseVm    one VM for all cases, reset between them (fresh VMs are the default for verdicts:
     *                   a kernel bug in the reset path itself cannot leak into one)
     * @param runTimeout how long one guest run may take before it is reported as timed out
     * @param payload    the guest program (msr_script; the self-tests use others)
     */
    public record Options(boolean reuseVm, Duration runTimeout, Payload payload) {

        public static Options defaults() {
            return new Options(false, Duration.ofSeconds(5), Payload.load(Payload.MSR_SCRIPT));
        }

        public Options reusingVm() {
            return new Options(true, runTimeout, payload);
        }

        public Options with(Duration timeout, Payload other) {
            return new Options(reuseVm, timeout, other);
        }
    }

    private final Backend engine;
    /** The KVM this backend opened itself and closes; null when the caller owns it (or there is none). */
    private final Kvm owned;

    private KvmBackend(Backend engine, Kvm owned) {
        this.engine = engine;
        this.owned = owned;
    }

    /** On {@code kvm}, which the caller keeps open and closes. */
    public static KvmBackend on(Kvm kvm, Options options) {
        return new KvmBackend(engine(kvm, options, null), null);
    }

    /** On {@code kvm}, timing each case's phases for the benchmark. */
    public static KvmBackend timed(Kvm kvm, Options options, TimedCaseVmSource.PhaseTimer timer) {
        return new KvmBackend(engine(kvm, options, timer), null);
    }

    /** A KVM backend where there is none: every case is skipped with {@code reason}. */
    public static KvmBackend unavailable(String reason) {
        return new KvmBackend(new UnavailableBackend(NAME, reason), null);
    }

    /** This machine's /dev/kvm, fresh VMs; skips every case with the reason when it cannot be used. */
    public static KvmBackend open() {
        return open(Options.defaults());
    }

    /** This machine's /dev/kvm, one reused VM. */
    public static KvmBackend openReusing() {
        return open(Options.defaults().reusingVm());
    }

    public static KvmBackend open(Duration runTimeout, Payload payload) {
        return open(Options.defaults().with(runTimeout, payload));
    }

    public static KvmBackend open(Options options) {
        Optional<String> reason = LocalKvm.unavailableReason();
        if (reason.isPresent()) {
            return unavailable(reason.get());
        }
        LocalKvm kvm = LocalKvm.open();
        try {
            return new KvmBackend(engine(kvm, options, null), kvm);
        } catch (RuntimeException | Error e) {
            kvm.close();
            throw e;
        }
    }

    private static Backend engine(Kvm kvm, Options options, TimedCaseVmSource.PhaseTimer timer) {
        KvmCapabilities capabilities = KvmCapabilities.probe(kvm);
        KvmGuestImage image = new KvmGuestImage(options.payload());
        CaseVmSource source = options.reuseVm() ? new ReusedKvmVm(kvm, capabilities, image) : new FreshKvmVms(kvm, capabilities, image);
        if (timer != null) {
            source = new TimedCaseVmSource(source, timer);
        }
        return new EngineBackend(NAME, capabilities::cannotRun, source, new CaseExecutor(new GuestRun(options.payload(), options.runTimeout())));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Optional<String> cannotRun(Case c) {
        return engine.cannotRun(c);
    }

    @Override
    public Observation run(Case c) {
        return engine.run(c);
    }

    @Override
    public void close() {
        try {
            engine.close();
        } finally {
            if (owned != null) {
                owned.close();
            }
        }
    }
}
