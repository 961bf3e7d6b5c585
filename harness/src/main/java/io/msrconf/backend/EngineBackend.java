package io.msrconf.backend;

import io.msrconf.spec.Case;
import java.util.Optional;
import java.util.function.Function;

/**
 * A backend made of its parts: what it cannot run (the gate), where its VMs come from (the source)
 * and the one step dispatcher. KVM and the emulator are both built this way; so is a timed backend for
 * the benchmark ({@link TimedCaseVmSource}).
 */
public final class EngineBackend implements Backend {

    private final String name;
    private final Function<Case, Optional<String>> gate;
    private final CaseVmSource source;
    private final CaseExecutor executor;

    public EngineBackend(String name, Function<Case, Optional<String>> gate, CaseVmSource source, CaseExecutor executor) {
        this.name = name;
        this.gate = gate;
        this.source = source;
        this.executor = executor;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Optional<String> cannotRun(Case c) {
        return gate.apply(c);
    }

    @Override
    public Observation run(Case c) {
        CaseVm vm = source.open(c);
        boolean atRest = false;
        try {
            Observation o = executor.execute(c, vm, name);
            atRest = o.endedAtRest();
            return o;
        } finally {
            source.release(vm, atRest);
        }
    }

    @Override
    public void close() {
        source.close();
    }
}
