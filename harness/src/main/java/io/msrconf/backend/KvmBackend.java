package io.msrconf.backend;

import io.msrconf.guest.Payload;
import io.msrconf.kvm.Kvm;
import io.msrconf.kvm.KvmException;
import io.msrconf.target.OpenedTarget;
import io.msrconf.target.TargetUnavailable;
import io.msrconf.spec.Case;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

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

    /**
     * How often a lost target is booted again. A kernel that crashes at every few cases (a broken or mutated KVM) would
     * otherwise cost a boot per case; after this many the rest of the run is reported as not run, with the reason.
     */
    static final int MAX_BOOTS_AFTER_A_LOSS = 2;

    private Backend engine;
    private int bootsAfterALoss;
    /** The KVM the engine drives (null where there is none): where a case's set-param is written. */
    private Kvm kvm;
    /** The target behind the KVM, when it is one msrconf can boot again; null otherwise. */
    private final OpenedTarget target;
    private final Options options;

    private KvmBackend(Backend engine, Kvm kvm, OpenedTarget target, Options options) {
        this.engine = engine;
        this.kvm = kvm;
        this.target = target;
        this.options = options;
    }

    /** On {@code kvm}, which the caller keeps open and closes. */
    public static KvmBackend on(Kvm kvm, Options options) {
        return new KvmBackend(engine(kvm, options, null), kvm, null, options);
    }

    /**
     * On an opened target, which the caller keeps open and closes. When its guest stops answering in the
     * middle of a case, that case ends with {@link TargetLost} and the guest is booted again for the next.
     */
    public static KvmBackend on(OpenedTarget target, Options options) {
        return new KvmBackend(engine(target.kvm(), options, null), target.kvm(), target, options);
    }

    /** On {@code kvm}, timing each case's phases for the benchmark. */
    public static KvmBackend timed(Kvm kvm, Options options, TimedCaseVmSource.PhaseTimer timer) {
        return new KvmBackend(engine(kvm, options, timer), kvm, null, options);
    }

    /** A KVM backend where there is none: every case is skipped with {@code reason}. */
    public static KvmBackend unavailable(String reason) {
        return new KvmBackend(new UnavailableBackend(NAME, reason), null, null, Options.defaults());
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
        Map<String, String> sets = c.requires().setParams();
        if (!sets.isEmpty() && kvm != null && !kvm.throwaway()) {
            return Optional.of("the case sets " + describe(sets) + " for itself, which msrconf does only in a kernel it booted for"
                    + " the run (--kvm debian:SERIES or an image), never on " + kvm.where());
        }
        return engine.cannotRun(c);
    }

    private static String describe(Map<String, String> params) {
        return params.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).sorted().collect(Collectors.joining(", "));
    }

    @Override
    public Observation run(Case c) {
        Map<String, String> restore = setParameters(c.requires().setParams());
        try {
            return engine.run(c);
        } catch (KvmException e) {
            if (target == null || target.alive()) {
                throw e;
            }
            String lost = "the KVM of " + target.name() + " stopped answering while this case ran: " + e.getMessage()
                    + target.lastWords();
            engine.close();
            if (bootsAfterALoss == MAX_BOOTS_AFTER_A_LOSS) {
                engine = new UnavailableBackend(NAME, "the KVM target " + target.name() + " was lost " + (bootsAfterALoss + 1)
                        + " times; msrconf does not boot it again");
                throw new TargetLost(lost + "\n(lost " + (bootsAfterALoss + 1) + " times: the cases after this one are not run)", e);
            }
            try {
                bootsAfterALoss++;
                kvm = target.restart();
                engine = engine(kvm, options, null);
                lost += "\n(msrconf booted " + target.name() + " again for the cases after this one)";
            } catch (TargetUnavailable again) {
                engine = new UnavailableBackend(NAME, "the KVM target " + target.name() + " was lost and could not be booted again: "
                        + again.getMessage());
            }
            throw new TargetLost(lost, e);
        } finally {
            setParameters(restore);
        }
    }

    /**
     * Writes each "module.param" of {@code params} in the throwaway kernel and returns what they read before,
     * for the case's end to write back (a boolean reads Y or N and is written so). A refused write is a broken
     * environment for the case, thrown.
     */
    private Map<String, String> setParameters(Map<String, String> params) {
        Map<String, String> before = new TreeMap<>();
        if (params.isEmpty() || kvm == null || !kvm.reachable()) {
            return before;
        }
        for (Map.Entry<String, String> p : new TreeMap<>(params).entrySet()) {
            int dot = p.getKey().indexOf('.');
            String module = p.getKey().substring(0, dot);
            String name = p.getKey().substring(dot + 1);
            String path = "/sys/module/" + module + "/parameters/" + name;
            Optional<String> old = kvm.readFile(path).map(String::strip);
            int written = kvm.writeModuleParameter(module, name, p.getValue());
            if (written < 0 || old.isEmpty()) {
                throw new KvmException("write " + p.getValue() + " to " + path + (old.isEmpty() ? " (it cannot be read)" : ""),
                        written < 0 ? -written : io.msrconf.abi.Errno.ENOENT);
            }
            before.put(p.getKey(), old.get());
        }
        return before;
    }

    /** Closes the VMs this backend made; the KVM itself belongs to whoever opened it. */
    @Override
    public void close() {
        engine.close();
    }
}
