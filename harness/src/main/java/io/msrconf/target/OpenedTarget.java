package io.msrconf.target;

import io.msrconf.kvm.Kvm;
import io.msrconf.kvm.agent.AgentKvm;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A {@link KvmTarget} that is open: its {@link Kvm}, and for a booted kernel the guest behind it, which
 * can be asked whether it is still alive, what it printed last, and to boot again after it crashed or
 * hung. Closing it powers the guest off (or closes /dev/kvm).
 */
public final class OpenedTarget implements AutoCloseable {

    private final KvmTarget target;
    private final GuestKernel kernel;   // null for the host
    private Kvm kvm;
    private AgentGuest guest;           // null for the host
    private Duration bootTime;

    private OpenedTarget(KvmTarget target, GuestKernel kernel, Kvm kvm, AgentGuest guest) {
        this.target = target;
        this.kernel = kernel;
        this.kvm = kvm;
        this.guest = guest;
        this.bootTime = guest == null ? Duration.ZERO : guest.bootTime();
    }

    static OpenedTarget host(KvmTarget target, Kvm kvm) {
        return new OpenedTarget(target, null, kvm, null);
    }

    static OpenedTarget guest(KvmTarget target, GuestKernel kernel) throws TargetUnavailable {
        AgentGuest g = AgentGuest.boot(target.spec(), kernel, AgentGuest.BOOT_TIMEOUT);
        return new OpenedTarget(target, kernel, g.kvm(), g);
    }

    public KvmTarget target() {
        return target;
    }

    /** The target as the user named it: "host", "debian:6.12", the image path. */
    public String name() {
        return target.spec();
    }

    public synchronized Kvm kvm() {
        return kvm;
    }

    /** From QEMU's start to the agent's first answer, of the latest boot; zero for the host. */
    public synchronized Duration bootTime() {
        return bootTime;
    }

    /** Whether the KVM still answers: always for the host, false once a guest crashed or hung. */
    public synchronized boolean alive() {
        return kernel == null ? kvm.reachable() : guest != null && guest.alive();
    }

    /** What the guest printed last (empty for the host), for a message about a lost or hung target. */
    public synchronized String lastWords() {
        return guest == null ? "" : guest.lastWords();
    }

    /**
     * Copies the guest's console so far to {@code destination}; nothing for the host. Best effort: the
     * console is a clue for a reader of the results, and failing to keep it must not hide the run's outcome.
     */
    public synchronized void saveConsole(Path destination) {
        if (guest != null) {
            try {
                guest.saveConsole(destination);
            } catch (IOException e) {
                // the results say what happened; the console is only the detail
            }
        }
    }

    /**
     * Runs a program the guest carries ({@link KvmTarget#open(Path, java.util.Map)}) in this target's guest, killed at
     * {@code timeout}; a KvmException when the agent cannot run it (the guest died, the program is missing).
     */
    public synchronized AgentKvm.ProgramRun runProgram(String name, Duration timeout) {
        if (guest == null) {
            throw new IllegalStateException(name() + " has no guest to run " + name + " in");
        }
        return guest.kvm().runProgram(name, timeout);
    }

    /**
     * Replaces a lost guest with a freshly booted one of the same kernel and returns its KVM (the host's
     * KVM is returned as it is). The old guest's QEMU is stopped first.
     */
    public synchronized Kvm restart() throws TargetUnavailable {
        if (kernel == null) {
            return kvm;
        }
        if (guest != null) {
            guest.close();
            guest = null;
        }
        AgentGuest fresh = AgentGuest.boot(target.spec(), kernel, AgentGuest.BOOT_TIMEOUT);
        guest = fresh;
        kvm = fresh.kvm();
        bootTime = fresh.bootTime();
        return kvm;
    }

    @Override
    public synchronized void close() {
        if (guest != null) {
            guest.close();
            guest = null;
        } else if (kernel == null) {
            kvm.close();
        }
    }
}
