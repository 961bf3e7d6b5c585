package io.msrconf.cli;

import io.msrconf.report.SuiteRun;
import io.msrconf.target.AutoTarget;
import io.msrconf.target.KvmTarget;
import io.msrconf.target.OpenedTarget;
import io.msrconf.target.TargetUnavailable;
import java.io.PrintWriter;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code --kvm}: which KVM a command tests (run, bisect-run, fuzz, bench). */
final class KvmOption {

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(names = "--kvm", paramLabel = "TARGET", description = "the KVM to test: host (this machine's /dev/kvm), "
            + "debian:5.10|6.1|6.12 (booted under QEMU, fetched once and cached), IMAGE[,modules=DIR] (a kernel you built, "
            + "booted under QEMU), off, or auto (default): host when /dev/kvm can be used, else debian:6.12 under QEMU")
    String kvm = "auto";

    /** The target named, or auto's pick; empty for off or when auto finds nothing (then {@code why} says why). */
    record Pick(Optional<KvmTarget> target, String why, boolean off) {
    }

    Pick pick() {
        if (kvm.equals("auto")) {
            AutoTarget.Choice c = AutoTarget.choose();
            return new Pick(c.target(), c.why(), false);
        }
        try {
            KvmTarget t = KvmTarget.parse(kvm);
            return t.kind() == KvmTarget.Kind.OFF ? new Pick(Optional.empty(), "--kvm off", true) : new Pick(Optional.of(t), "--kvm " + kvm, false);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(command.commandLine(), "--kvm: " + e.getMessage());
        }
    }

    /**
     * Opens the pick, saying on {@code out} which KVM is tested and how it was reached; a target that
     * cannot be opened becomes {@link SuiteRun.KvmChoice.Unavailable} with the reason.
     */
    SuiteRun.KvmChoice open(PrintWriter out) {
        Pick p = pick();
        if (p.off()) {
            return new SuiteRun.KvmChoice.None();
        }
        if (p.target().isEmpty()) {
            out.println("msrconf: no KVM to test: " + p.why());
            return new SuiteRun.KvmChoice.Unavailable(p.why());
        }
        KvmTarget t = p.target().get();
        if (t.booted()) {
            out.println("msrconf: KVM target " + t.spec() + ": booting it under QEMU (" + p.why() + ")");
        }
        try {
            OpenedTarget opened = t.open(KvmTarget.defaultCache());
            out.println("msrconf: KVM target " + t.spec() + ": " + opened.kvm().where()
                    + (t.booted() ? ", booted in " + String.format("%.1f", opened.bootTime().toMillis() / 1000.0) + " s" : ""));
            return new SuiteRun.KvmChoice.Opened(opened);
        } catch (TargetUnavailable e) {
            out.println("msrconf: KVM target " + t.spec() + " cannot be used: " + e.getMessage());
            return new SuiteRun.KvmChoice.Unavailable(t.spec() + " cannot be used: " + e.getMessage());
        }
    }
}
