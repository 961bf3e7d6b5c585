package io.msrconf.kvm;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import io.msrconf.kvm.sys.KvmLayouts;
import io.msrconf.kvm.sys.LibC;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Gets a thread out of KVM_RUN: a guest that loops forever never exits by itself, and a test run
 * must not hang. A kick sets kvm_run.immediate_exit and sends {@link #SIGNAL} to the thread inside
 * the run; KVM sees the pending signal, leaves the guest and KVM_RUN returns EINTR. Deadlines
 * ({@link Vcpu#run(long)}) are kicks scheduled on one shared daemon thread.
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

    private static final ScheduledThreadPoolExecutor SCHEDULER;

    static {
        installHandler();
        SCHEDULER = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "msrconf-vcpu-kicker");
            thread.setDaemon(true);
            return thread;
        });
        // runs that end before their deadline cancel its kick: drop those at once, not at the deadline
        SCHEDULER.setRemoveOnCancelPolicy(true);
    }

    private VcpuKicker() {
    }

    /** Interrupts the vCPU's run in progress; false when no run was in progress. */
    public static boolean kick(Vcpu vcpu) {
        return vcpu.kick(Vcpu.ANY_RUN);
    }

    /** Kicks run number {@code run} of the vCPU after the delay, unless that run has ended by then. */
    static ScheduledFuture<?> schedule(Vcpu vcpu, long run, long delayNanos) {
        return SCHEDULER.schedule(() -> vcpu.kick(run), delayNanos, TimeUnit.NANOSECONDS);
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
