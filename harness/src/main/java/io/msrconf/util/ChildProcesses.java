package io.msrconf.util;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Starts the processes msrconf runs (QEMU, the Allure generator, gcc, the kernel fetch script) so that
 * none outlives msrconf, however msrconf ends:
 * <ul>
 *   <li>SIGINT, SIGTERM, a normal exit: a shutdown hook kills every child still running, with its
 *       descendants;</li>
 *   <li>SIGKILL, where no hook runs: each child runs under a small shell "lifeline" that holds a pipe
 *       from this JVM on a spare descriptor and kills the child when the pipe closes, which the kernel
 *       does when the JVM dies, whatever killed it.</li>
 * </ul>
 * The lifeline is POSIX sh only; the child's stdout and stderr are as the builder says, its stdin is
 * /dev/null (msrconf's children read nothing). The returned process's stdin pipe is the lifeline:
 * closing it kills the child, so callers leave it alone.
 */
public final class ChildProcesses {

    /**
     * The lifeline: descriptor 3 is the pipe from the JVM (our stdin, moved). The child runs in the
     * background with stdin from /dev/null; a watcher subshell blocks reading the pipe with the shell's own
     * read (no extra process to leave behind) and kills the child when the read ends. When the child ends first, the
     * watcher is killed and reaped (quietly: the shell would report it "Terminated" into the child's output);
     * unreaped, it would outlive the lifeline as a zombie of init. The child's exit
     * status is the lifeline's.
     */
    private static final String LIFELINE = "exec 3<&0 </dev/null; \"$@\" 3<&- & child=$!; "
            + "( while read -r _ <&3; do :; done; kill -KILL \"$child\" 2>/dev/null ) & watcher=$!; exec 3<&-; "
            + "wait \"$child\"; status=$?; kill \"$watcher\" 2>/dev/null; wait \"$watcher\" 2>/dev/null; exit $status";

    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ChildProcesses::killAll, "msrconf-child-reaper"));
    }

    private ChildProcesses() {
    }

    /** Starts {@code builder}'s command under the lifeline; its redirections apply to the command. */
    public static Process start(ProcessBuilder builder) throws IOException {
        List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", LIFELINE, "msrconf-lifeline"));
        command.addAll(builder.command());
        ProcessBuilder wrapped = new ProcessBuilder(command)
                .directory(builder.directory())
                .redirectOutput(builder.redirectOutput())
                .redirectError(builder.redirectError())
                .redirectErrorStream(builder.redirectErrorStream())
                .redirectInput(ProcessBuilder.Redirect.PIPE);
        wrapped.environment().clear();
        wrapped.environment().putAll(builder.environment());
        Process p = wrapped.start();
        RUNNING.add(p);
        p.onExit().thenRun(() -> RUNNING.remove(p));
        return p;
    }

    /** Kills {@code p} and its descendants at once, and waits briefly for it to be gone. */
    public static void kill(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
            p.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        RUNNING.remove(p);
    }

    /** How many children are running now (for tests). */
    public static int running() {
        RUNNING.removeIf(p -> !p.isAlive());
        return RUNNING.size();
    }

    private static void killAll() {
        for (Process p : List.copyOf(RUNNING)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }
}
