package io.msrconf.backend;

import io.msrconf.guest.GuestLayout;
import io.msrconf.guest.MsrScriptTable;
import io.msrconf.guest.Payload;
import io.msrconf.spec.MsrOp;
import io.msrconf.spec.Step;
import io.msrconf.spec.UserspaceAnswer;
import io.msrconf.vcpu.VcpuExit;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The run loop: runs the msr_script payload on a {@link GuestVcpu}, whichever engine is under it. A run
 * step writes the script table, starts the vCPU from the layout's start state, answers MSR exits as the
 * case says, stops at the guest's report, a crash or the deadline, and reads back what the guest
 * recorded; a continue step appends its accesses to the same guest's table, answers the exit the vCPU
 * was left in (if any) and lets the guest go on from where it stopped. This is the only run loop in msrconf.
 */
public final class GuestRun {

    /** A step's exit budget: far above what any script needs (one exit per access at most, plus the report). */
    static final int MAX_EXITS_PER_RUN = 4 * MsrScriptTable.MAX_ENTRIES + 16;

    private final Payload payload;
    private final Duration timeout;

    public GuestRun(Payload payload, Duration timeout) {
        this.payload = payload;
        this.timeout = timeout;
    }

    /** The guest of one vCPU over a case's run and continue steps. */
    public Session session(GuestVcpu vcpu) {
        return new Session(vcpu);
    }

    /** One vCPU's guest across the run and continue steps of a case. */
    public final class Session {
        private final GuestVcpu vcpu;
        /** The vCPU's script table (GuestLayout: each vCPU has its own). */
        private final long table;
        private ScriptRun script;
        /** How the last step ended: a continue step needs the guest paused (reported, or in an exit). */
        private RunEnd last;
        /** The MSR exit the vCPU waits in, and the answer the continue step gives it. */
        private MsrExit pendingExit;
        private UserspaceAnswer pendingAnswer;

        private Session(GuestVcpu vcpu) {
            this.vcpu = vcpu;
            this.table = GuestLayout.scriptTable(vcpu.id());
        }

        public StepOutcome.GuestRan run(Step.RunGuest step) {
            boolean resumedFromExit = false;
            if (step.resume() == null) {
                script = new ScriptRun();
                vcpu.memory().write(table, MsrScriptTable.encode(script.begin(step)));
                vcpu.resetToStart();
            } else {
                String why = cannotResume();
                if (why != null) {
                    return ScriptRun.notResumed(step, why);
                }
                int from = script.count();
                byte[] entries = MsrScriptTable.encodeEntries(script.begin(step));
                vcpu.memory().write(table + MsrScriptTable.entryOffset(from), entries);
                // The guest re-reads the count before each entry: raising it is what lets it go on.
                vcpu.memory().writeU32(table + MsrScriptTable.HDR_COUNT, script.count());
                if (pendingExit != null) {
                    complete(pendingExit, pendingAnswer);
                    pendingExit = null;
                    resumedFromExit = true;
                }
            }
            last = loop(script);
            return script.finish(vcpu.memory().read(table, script.tableSize()), last, payload, resumedFromExit, vcpu.unmodelledEntries());
        }

        private String cannotResume() {
            if (script == null) {
                return "no run step started this guest";
            }
            if (last instanceof RunEnd.Reported || last instanceof RunEnd.InExit) {
                return null;
            }
            return "the step it continues ended with " + last.describe();
        }

        private void complete(MsrExit exit, UserspaceAnswer answer) {
            // KVM reads msr.data back only for a read; a write's completion leaves it as KVM wrote it.
            vcpu.completeMsrExit(answer.error(), exit.op() == MsrOp.WRMSR ? exit.data() : answer.data());
        }

        private RunEnd loop(ScriptRun script) {
            long deadline = System.nanoTime() + timeout.toNanos();
            int exits = 0;
            while (exits < MAX_EXITS_PER_RUN) {
                VcpuExit exit = vcpu.run(deadline);
                if (exit instanceof VcpuExit.Interrupted) {
                    if (System.nanoTime() - deadline >= 0) {
                        return new RunEnd.TimedOut(timeout.toMillis(), exits);
                    }
                    continue;
                }
                exits++;
                if (exit instanceof VcpuExit.Io io) {
                    Optional<RunEnd> end = GuestReport.of(io);
                    return end.orElseGet(() -> crashed(vcpu, GuestReport.describeStray(io)));
                }
                if (exit instanceof VcpuExit.RunFailed f) {
                    long at = Integer.toUnsignedLong(vcpu.memory().readU32(table + MsrScriptTable.HDR_COMPLETED));
                    return new RunEnd.KvmRunFailed(f.errno(), at);
                }
                if (exit instanceof VcpuExit.InternalError e && e.suberror() == VcpuExit.InternalError.EMULATION) {
                    long at = Integer.toUnsignedLong(vcpu.memory().readU32(table + MsrScriptTable.HDR_COMPLETED));
                    return new RunEnd.EmulationFailed(at, e.data());
                }
                if (exit instanceof VcpuExit.Msr m) {
                    MsrExit seen = new MsrExit(m.write() ? MsrOp.WRMSR : MsrOp.RDMSR, m.reason(), m.index(), m.data(), m.errorAndPad());
                    // The guest counts finished entries, so the exit belongs to entry number "completed".
                    long completed = Integer.toUnsignedLong(vcpu.memory().readU32(table + MsrScriptTable.HDR_COMPLETED));
                    ScriptRun.Reply reply = script.onMsrExit(completed, seen);
                    if (reply instanceof ScriptRun.Reply.Answer a) {
                        complete(seen, a.answer());
                        continue;
                    }
                    if (reply instanceof ScriptRun.Reply.Pause p) {
                        pendingExit = seen;
                        pendingAnswer = p.answer();
                        return new RunEnd.InExit(seen, p.name());
                    }
                    return crashed(vcpu, script.describeStrayExit(completed, seen));
                }
                return crashed(vcpu, describeUnexpected(exit));
            }
            return crashed(vcpu, "the guest exceeded the exit budget of " + MAX_EXITS_PER_RUN + " exits in one step");
        }
    }

    private String describeUnexpected(VcpuExit exit) {
        if (exit instanceof VcpuExit.Unimplemented u) {
            return String.format("the emulator does not implement '%s' at RIP 0x%x (%s), bytes %s", u.mnemonic(), u.rip(),
                    payload.symbolize(u.rip()), HexFormat.ofDelimiter(" ").formatHex(u.bytes()));
        }
        return "unexpected exit " + exit.describe();
    }

    private static RunEnd crashed(GuestVcpu vcpu, String what) {
        return new RunEnd.Crashed(what, vcpu.describeState());
    }
}
