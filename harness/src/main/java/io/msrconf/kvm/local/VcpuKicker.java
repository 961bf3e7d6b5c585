package io.msrconf.kvm.local;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import io.msrconf.kvm.KvmException;
import io.msrconf.kvm.uapi.KvmLayouts;
import io.msrconf.kvm.local.LibC;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Gets a thread out of KVM_RUN: a guest that loops forever never exits by itself, and a test run
 * must not hang. A kick sets kvm_run.immediate_exit and sends {@link #SIGNAL} to the thread inside
 * the run; KVM sees the pending signal, leaves the guest and KVM_RUN returns EINTR. Deadlines
 * ({@link LocalVcpu#run(long)}) are kicks scheduled on one shared daemon thread.
 *
 * <p>Loading this class installs the signal's handler, once per process, before any kick can be sent.
 */
public final class VcpuKicker {

    /**
     * SIGRTMAX-3. glibc keeps 32 and 33 for itself (SIGRTMIN is 34 for applications), HotSpot itself
     * takes no real-time signal (it suspends threads with SIGUSR2), and libraries that take RT
     * signals tend to count up from SIGRTMIN: the top of the range is the quiet end. Not SIGRTMAX-2:
     * the JDK's libnio installs its own handler for 62 to interrupt blocking I/O
     * (sun.nio.ch.NativeThread).
     */
    public static final int SIGNAL = 61;

    /** How long the watchdog sleeps when no deadline is nearer (it also wakes when an earlier one is armed). */
    private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(1);

    /**
     * The vCPUs whose runs the watchdog watches. A vCPU joins on its first deadline run and leaves when
     * closed; arming and disarming a run only writes two volatile fields of the vCPU (see
     * {@link LocalVcpu#run(long)}), so a run with a deadline allocates nothing and wakes no thread, unlike a
     * task scheduled and cancelled per KVM_RUN.
     */
    private static final Set<LocalVcpu> WATCHED = ConcurrentHashMap.newKeySet();
    private static final Thread WATCHDOG;
    /** When the watchdog wakes next (System.nanoTime); an armer with an earlier deadline unparks it. */
    private static volatile long nextWake;

    static {
        installHandler();
        WATCHDOG = new Thread(VcpuKicker::watch, "msrconf-vcpu-kicker");
        WATCHDOG.setDaemon(true);
        WATCHDOG.start();
    }

    private VcpuKicker() {
    }

    /** Interrupts the vCPU's run in progress; false when no run was in progress. */
    public static boolean kick(LocalVcpu vcpu) {
        return vcpu.kick(LocalVcpu.ANY_RUN);
    }

    /**
     * Called after the vCPU armed a run with a deadline ({@link LocalVcpu#armedRun()} set last): makes sure the
     * watchdog wakes by then. The watchdog publishes nextWake before it scans, so either its scan sees
     * this run armed, or this read sees a wake time that is not later than the scan's (all volatile).
     */
    static void watch(LocalVcpu vcpu, long deadlineNanos) {
        WATCHED.add(vcpu);   // a no-op once it is there
        if (deadlineNanos - nextWake < 0) {
            LockSupport.unpark(WATCHDOG);
        }
    }

    /** Forgets a closed vCPU. */
    static void unwatch(LocalVcpu vcpu) {
        WATCHED.remove(vcpu);
    }

    /** The watchdog: kicks every armed run whose deadline has passed, then sleeps until the nearest deadline. */
    private static void watch() {
        while (true) {
            long now = System.nanoTime();
            long wake = now + IDLE_NANOS;
            nextWake = wake;
            for (LocalVcpu vcpu : WATCHED) {
                long run = vcpu.armedRun();
                if (run == LocalVcpu.ANY_RUN) {
                    continue;   // no run with a deadline in progress
                }
                long deadline = vcpu.armedDeadline();
                if (deadline - now <= 0) {
                    try {
                        vcpu.kick(run);   // false when that run has just ended: nothing to do
                    } catch (RuntimeException e) {
                        // a failed pthread_kill must not stop the watchdog; the run's owner sees no EINTR and
                        // its exit budget still ends the run loop
                    }
                } else if (deadline - wake < 0) {
                    wake = deadline;
                }
            }
            nextWake = wake;
            long sleep = wake - System.nanoTime();
            if (sleep > 0) {
                LockSupport.parkNanos(sleep);
            }
        }
    }

    static void signal(long thread) {
        int error = LibC.pthread_kill(thread, SIGNAL);
        if (error != 0) {
            throw new KvmException("pthread_kill", error);
        }
    }

    /**
     * The handler is libc's {@code abs}: a signal must have a handler (an RT signal's default action
     * kills the process), but it needs to do nothing, since the point is only that a signal arrives
     * and interrupts KVM_RUN. {@code abs} takes the one int a handler gets, is pure and
     * async-signal-safe, and returns. A Java callback would have to enter the JVM from a signal
     * context, which is not safe. No SA_RESTART, or the kernel would restart KVM_RUN instead of
     * returning EINTR.
     */
    private static void installHandler() {
        Pointer abs = NativeLibrary.getInstance(Platform.C_LIBRARY_NAME).getFunction("abs");
        try (Memory action = new Memory(KvmLayouts.Sigaction.SIZE);
             Memory previous = new Memory(KvmLayouts.Sigaction.SIZE)) {
            action.clear();
            action.setPointer(KvmLayouts.Sigaction.HANDLER, abs);
            action.setInt(KvmLayouts.Sigaction.FLAGS, 0);
            LibC.sigaction(SIGNAL, action, previous);
            long before = Pointer.nativeValue(previous.getPointer(KvmLayouts.Sigaction.HANDLER));
            if (before != LibC.SIG_DFL && before != Pointer.nativeValue(abs)) {
                LibC.sigaction(SIGNAL, previous, null);
                throw new IllegalStateException("signal " + SIGNAL + " already has a handler (0x"
                        + Long.toHexString(before) + "): something else in this process uses it");
            }
        } catch (LastErrorException e) {
            throw new KvmException("sigaction(" + SIGNAL + ")", e.getErrorCode());
        }
    }
}
