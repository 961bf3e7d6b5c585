package io.msrconf.fuzz;

import io.msrconf.kvm.Kvm;
import io.msrconf.backend.Backend;
import io.msrconf.backend.EmulatorBackend;
import io.msrconf.pipeline.TargetInfo;
import io.msrconf.backend.KvmBackend;
import io.msrconf.backend.Observation;
import io.msrconf.spec.Case;
import io.msrconf.spec.Step;
import java.util.List;
import java.util.Optional;

/** Runs generated cases on KVM and on the model, through the Backend interface only, and checks them. */
public final class FuzzRunner implements AutoCloseable {

    /** What became of one case. */
    public sealed interface Result {
    }

    /** One of the backends cannot run the case here; it was not checked. */
    public record Skipped(String reason) implements Result {
    }

    /** Both backends ran the case; {@code problems} is empty when they and the oracle agree. */
    public record Checked(Case c, Observation kvm, Observation model, List<String> problems) implements Result {
        public boolean agrees() {
            return problems.isEmpty();
        }

        public int accesses() {
            return c.steps().stream().mapToInt(s -> s instanceof Step.RunGuest r ? r.accesses().size() : 0).sum();
        }
    }

    private final Backend kvm;
    private final Backend model;

    public FuzzRunner(Backend kvm, Backend model) {
        this.kvm = kvm;
        this.model = model;
    }

    /**
     * {@code kvm} (which the caller keeps open and closes), on one reused VM (reset before each case:
     * KvmReuseEquivalenceTest shows a case sees what it would on a fresh VM), and the reference model.
     * Reuse is for throughput: a fresh VM costs milliseconds (tens under QEMU), which would dominate every
     * generated case.
     */
    public static FuzzRunner open(Kvm kvm) {
        return new FuzzRunner(KvmBackend.on(kvm, KvmBackend.Options.defaults().reusingVm()), EmulatorBackend.create(TargetInfo.modelProfileOf(kvm)));
    }

    public Result run(Case c) {
        Optional<String> cannot = kvm.cannotRun(c).map(r -> kvm.name() + ": " + r)
                .or(() -> model.cannotRun(c).map(r -> model.name() + ": " + r));
        if (cannot.isPresent()) {
            return new Skipped(cannot.get());
        }
        Observation k = kvm.run(c);
        Observation m = model.run(c);
        return new Checked(c, k, m, DifferentialCheck.problems(c, k, m));
    }

    @Override
    public void close() {
        try {
            kvm.close();
        } finally {
            model.close();
        }
    }
}
