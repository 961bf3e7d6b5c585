package io.msrconf.kernelmutants;

import io.msrconf.kvm.KvmException;
import io.msrconf.kvm.agent.AgentKvm;
import io.msrconf.target.AgentGuest;
import io.msrconf.target.GuestKernel;
import io.msrconf.target.KvmTarget;
import io.msrconf.target.TargetUnavailable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The kernel selftest on one mutant: the stock kernel image booted under QEMU with the mutant's module tree (the same
 * kernel, modules and module parameters msrconf's cases get), the selftest carried in the guest and started by the agent.
 */
public final class QemuSelftestRunner implements SelftestRunner {

    private final Path image;
    private final Path selftest;
    private final Duration timeout;

    /** @param selftest the statically linked selftest (ENV/selftests/userspace_msr_exit_test) */
    public QemuSelftestRunner(Path image, Path selftest, Duration timeout) {
        this.image = image;
        this.selftest = selftest;
        this.timeout = timeout;
    }

    @Override
    public Outcome run(String name, Path modules) {
        GuestKernel kernel = new GuestKernel(image, Optional.of(modules), KvmTarget.GUEST_MODULE_PARAMETERS, Map.of(SELFTEST, selftest));
        try (AgentGuest guest = AgentGuest.boot("selftest-" + name, kernel, timeout)) {
            AgentKvm.ProgramRun run = guest.kvm().runProgram(SELFTEST, timeout);
            if (run.timedOut()) {
                return new Outcome(false, List.of(), 0, "the selftest ran past " + timeout.toSeconds() + " s and was killed");
            }
            return SelftestRunner.parse(run.output(), run.status());
        } catch (TargetUnavailable | KvmException e) {
            return new Outcome(false, List.of(), 0, "the kernel did not run the selftest: " + e.getMessage());
        }
    }
}
