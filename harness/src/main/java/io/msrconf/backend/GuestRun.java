package io.msrconf.backend;

import io.msrconf.abi.Errno;
import io.msrconf.guest.GuestLayout;
import io.msrconf.guest.MsrScriptTable;
import io.msrconf.guest.Payload;
import io.msrconf.spec.Access;
import io.msrconf.spec.MsrOp;
import io.msrconf.spec.UserspaceAnswer;
import io.msrconf.vcpu.VcpuExit;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The run loop: one run of the msr_script payload over a list of accesses on a {@link GuestVcpu},
 * whichever engine is under it. It writes the script table, starts the vCPU from the layout's start
 * state, answers MSR exits as the case says, stops at the guest's report, a crash or the deadline, and
 * reads back what the guest recorded. This is the only run loop in msrconf.
 */
public final class GuestRun {

    /** A run's exit budget: far above what any script needs (one exit per access at most, plus the report). */
    static final int MAX_EXITS_PER_RUN = 4 * MsrScriptTable.MAX_ENTRIES + 16;

    private final Payload payload;
    private final Duration timeout;

    public GuestRun(Payload payload, Duration timeout) {
        this.payload = payload;
        this.timeout = timeout;
    }

    public StepOutcome.GuestRan run(GuestVcpu vcpu, List<Access> accesses) {
        ScriptRun script = new ScriptRun(accesses);
        vcpu.memory().write(GuestLayout.SCRIPT_TABLE, script.table());
        vcpu.resetToStart();
        RunEnd end = loop(vcpu, script);
        return script.finish(vcpu.memory().read(GuestLayout.SCRIPT_TABLE, script.tableSize()), end, payload);
    }

    private RunEnd loop(GuestVcpu vcpu, ScriptRun script) {
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
            if (exit instanceof VcpuExit.Msr m) {
                MsrExit seen = new MsrExit(m.write() ? MsrOp.WRMSR : MsrOp.RDMSR, m.reason(), m.index(), m.data());
                // The guest counts finished entries, so the exit belongs to entry number "completed".
                long completed = Integer.toUnsignedLong(vcpu.memory().readU32(GuestLayout.SCRIPT_TABLE + MsrScriptTable.HDR_COMPLETED));
                Optional<UserspaceAnswer> answer = script.onMsrExit(completed, seen);
                if (answer.isEmpty()) {
                    return crashed(vcpu, script.describeStrayExit(completed, seen));
                }
                // KVM reads msr.data back only for a read; a write's completion leaves it as KVM wrote it.
                vcpu.completeMsrExit(answer.get().error(), m.write() ? m.data() : answer.get().data());
                continue;
            }
            return crashed(vcpu, describeUnexpected(exit));
        }
        return crashed(vcpu, "the guest exceeded the exit budget of " + MAX_EXITS_PER_RUN + " exits in one run");
    }

    private String describeUnexpected(VcpuExit exit) {
        if (exit instanceof VcpuExit.Unimplemented u) {
            return String.format("the emulator does not implement '%s' at RIP 0x%x (%s), bytes %s", u.mnemonic(), u.rip(),
                    payload.symbolize(u.rip()), HexFormat.ofDelimiter(" ").formatHex(u.bytes()));
        }
        if (exit instanceof VcpuExit.RunFailed f) {
            return "KVM_RUN failed with " + Errno.describe(f.errno());
        }
        return "unexpected exit " + exit.describe();
    }

    private static RunEnd crashed(GuestVcpu vcpu, String what) {
        return new RunEnd.Crashed(what, vcpu.describeState());
    }
}
