package io.msrconf.verdict;

import io.msrconf.abi.Msr;
import io.msrconf.backend.AccessOutcome;
import io.msrconf.guest.GuestResult;
import io.msrconf.backend.MsrExit;
import io.msrconf.backend.Observation;
import io.msrconf.backend.RunEnd;
import io.msrconf.backend.StepOutcome;
import io.msrconf.spec.Access;
import io.msrconf.spec.Case;
import io.msrconf.abi.Errno;
import io.msrconf.abi.ExitReason;
import io.msrconf.spec.ExpectedExit;
import io.msrconf.spec.GuestExpectation;
import io.msrconf.spec.Step;
import io.msrconf.abi.Vectors;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Compares what a backend observed with what a case expects. It never looks at which backend ran:
 * the same expectation holds for real KVM and for the reference model. An access whose outcome the
 * backend says it could not know (the model, where the CPU decides) is not judged; {@code unchecked}
 * names each such access and why, and the report shows them.
 */
public record Verdict(Case spec, Observation observation, List<Mismatch> mismatches, List<String> unchecked) {

    public Verdict {
        mismatches = List.copyOf(mismatches);
        unchecked = List.copyOf(unchecked);
    }

    public Verdict(Case spec, Observation observation, List<Mismatch> mismatches) {
        this(spec, observation, mismatches, List.of());
    }

    /** What a passing result says: nothing, or which expectations the backend could not check. */
    public String passMessage() {
        return unchecked.isEmpty() ? "" : "passed; not checked, the backend could not know the outcome:\n" + String.join("\n", unchecked);
    }

    public boolean passed() {
        return mismatches.isEmpty();
    }

    /** The triage tag of the first mismatch: what a failure of this case is sorted under. */
    public String triageTag() {
        return mismatches.isEmpty() ? "" : mismatches.get(0).triageTag();
    }

    /** The first mismatch as one sentence, then the others, one per line. */
    public String explain() {
        if (passed()) {
            return spec.id() + " passed on " + observation.backend();
        }
        return mismatches.stream().map(Mismatch::toString).collect(Collectors.joining("\n"));
    }

    /**
     * The message a failed case shows: what failed, why, what it checks, and a last line
     * "triage: TAG" that reports/categories.json sorts failures by. A failure of the reference model is
     * "triage: model TAG": a bug of the model or of the case, not of a kernel, and sorted apart from those.
     */
    public String failureMessage() {
        String model = observation.backend().equals(io.msrconf.backend.EmulatorBackend.NAME) ? "model " : "";
        return spec.id() + " [" + observation.backend() + "] " + spec.title() + "\n" + explain()
                + "\nchecks: " + spec.citation().text().replace("\n", "\n  ") + "\ntriage: " + model + triageTag();
    }

    public static Verdict judge(Case c, Observation o) {
        List<Mismatch> out = new ArrayList<>();
        List<String> unchecked = new ArrayList<>();
        if (o.steps().size() != c.steps().size()) {
            out.add(new Mismatch(Mismatch.Kind.RUN_FAILED, "case", "the backend reported " + o.steps().size()
                    + " step outcomes for " + c.steps().size() + " steps"));
            return new Verdict(c, o, out);
        }
        for (int i = 0; i < c.steps().size(); i++) {
            Step step = c.steps().get(i);
            String where = "step " + (i + 1) + " (" + step.source() + ")";
            StepOutcome outcome = o.steps().get(i);
            step.accept(new Step.Visitor<Void>() {
                @Override
                public Void setFilter(Step.SetFilter s) {
                    judgeFilter(s, outcome, where, out);
                    return null;
                }

                @Override
                public Void runGuest(Step.RunGuest r) {
                    judgeRun(r, outcome, where, out, unchecked);
                    return null;
                }

                @Override
                public Void hostSetMsrs(Step.HostSetMsrs h) {
                    judgeHostSet(h, outcome, where, out);
                    return null;
                }

                @Override
                public Void hostGetMsrs(Step.HostGetMsrs h) {
                    judgeHostGet(h, outcome, where, out);
                    return null;
                }

                @Override
                public Void enableExits(Step.EnableExits e) {
                    judgeEnableExits(e, outcome, where, out);
                    return null;
                }

                @Override
                public Void xenHvmConfig(Step.XenHvmConfig x) {
                    judgeXenHvmConfig(x, outcome, where, out);
                    return null;
                }

                @Override
                public Void checkExtension(Step.CheckExtension e) {
                    judgeCheckExtension(e, outcome, where, out);
                    return null;
                }

                @Override
                public Void createVcpu(Step.CreateVcpu c) {
                    judgeVcpuSetup(outcome, where, out);
                    return null;
                }

                @Override
                public Void setCpuid(Step.SetCpuid c) {
                    judgeVcpuSetup(outcome, where, out);
                    return null;
                }
            });
        }
        return new Verdict(c, o, out, unchecked);
    }

    private static void judgeXenHvmConfig(Step.XenHvmConfig x, StepOutcome outcome, String where, List<Mismatch> out) {
        String ioctl = String.format("KVM_XEN_HVM_CONFIG(msr 0x%x, %d blob pages)", x.msr(), x.blobPages());
        if (!(outcome instanceof StepOutcome.XenConfigured r)) {
            out.add(wrongShape(where, ioctl, outcome));
        } else if (r.errno() != x.expectedErrno()) {
            out.add(new Mismatch(Mismatch.Kind.IOCTL_RESULT, where, "Expected " + ioctl + " to return "
                    + Errno.describe(x.expectedErrno()) + ", got " + Errno.describe(r.errno())));
        }
    }

    private static void judgeEnableExits(Step.EnableExits e, StepOutcome outcome, String where, List<Mismatch> out) {
        String ioctl = String.format("KVM_ENABLE_CAP(KVM_CAP_X86_USER_SPACE_MSR, 0x%x)", e.mask());
        if (!(outcome instanceof StepOutcome.ExitsEnabled x)) {
            out.add(wrongShape(where, ioctl, outcome));
            return;
        }
        if (x.errno() != e.expectedErrno() || x.value() != 0) {
            out.add(new Mismatch(Mismatch.Kind.IOCTL_RESULT, where, "Expected " + ioctl + " to return "
                    + Errno.describe(e.expectedErrno()) + ", got " + x.describe().substring(x.describe().lastIndexOf(" returned ") + 10)));
        }
    }

    private static void judgeCheckExtension(Step.CheckExtension e, StepOutcome outcome, String where, List<Mismatch> out) {
        if (!(outcome instanceof StepOutcome.ExtensionChecked x)) {
            out.add(wrongShape(where, "KVM_CHECK_EXTENSION", outcome));
        } else if (x.value() != e.expectedValue()) {
            out.add(new Mismatch(Mismatch.Kind.IOCTL_RESULT, where, "Expected KVM_CHECK_EXTENSION(KVM_CAP_" + e.capName()
                    + ") to return " + e.expectedValue() + ", got " + x.value()));
        }
    }

    /** KVM_CREATE_VCPU and KVM_SET_CPUID2 must succeed: a case uses them to order its setup, not to test them. */
    private static void judgeVcpuSetup(StepOutcome outcome, String where, List<Mismatch> out) {
        if (!(outcome instanceof StepOutcome.VcpuSetUp v)) {
            out.add(wrongShape(where, "a vCPU setup", outcome));
        } else if (v.errno() != 0) {
            out.add(new Mismatch(Mismatch.Kind.IOCTL_RESULT, where, "Expected " + v.ioctl() + " to succeed, got " + Errno.describe(v.errno())));
        }
    }

    private static void judgeFilter(Step.SetFilter s, StepOutcome outcome, String where, List<Mismatch> out) {
        if (!(outcome instanceof StepOutcome.FilterSet f)) {
            out.add(wrongShape(where, "KVM_X86_SET_MSR_FILTER", outcome));
        } else if (f.errno() != s.expectedErrno() || f.value() != 0) {
            // api.rst: "Returns: 0 on success, < 0 on error": a positive return is no success a VMM would recognise
            out.add(new Mismatch(Mismatch.Kind.IOCTL_RESULT, where, "Expected KVM_X86_SET_MSR_FILTER to return "
                    + Errno.describe(s.expectedErrno()) + ", got " + f.describe().substring("KVM_X86_SET_MSR_FILTER returned ".length()) + " for filter: "
                    + (s.filter() == null ? "a NULL argument" : s.filter().describe().replace("\n  ", "; "))));
        }
    }

    private static void judgeHostSet(Step.HostSetMsrs h, StepOutcome outcome, String where, List<Mismatch> out) {
        if (!(outcome instanceof StepOutcome.HostMsrsSet r)) {
            out.add(wrongShape(where, "KVM_SET_MSRS", outcome));
        } else if (r.result() != h.expectedCount()) {
            out.add(new Mismatch(Mismatch.Kind.IOCTL_RESULT, where, "Expected KVM_SET_MSRS to set " + h.expectedCount()
                    + " MSR(s), got " + ioctlCount(r.result()) + " for " + indexes(h.msrs().stream().map(Step.MsrValue::index).toList())));
        }
    }

    private static void judgeHostGet(Step.HostGetMsrs h, StepOutcome outcome, String where, List<Mismatch> out) {
        if (!(outcome instanceof StepOutcome.HostMsrsGot r)) {
            out.add(wrongShape(where, "KVM_GET_MSRS", outcome));
            return;
        }
        if (r.result() != h.expectedCount()) {
            out.add(new Mismatch(Mismatch.Kind.IOCTL_RESULT, where, "Expected KVM_GET_MSRS to read " + h.expectedCount()
                    + " MSR(s), got " + ioctlCount(r.result()) + " for " + indexes(h.msrs().stream().map(Step.MsrRead::index).toList())));
        }
        int checked = Math.min(Math.max(r.result(), 0), Math.min(h.msrs().size(), r.values().size()));
        for (int i = 0; i < checked; i++) {
            Step.MsrRead want = h.msrs().get(i);
            long got = r.values().get(i);
            if (!want.expected().matches(got)) {
                out.add(new Mismatch(Mismatch.Kind.WRONG_RESULT, where, String.format(
                        "Expected KVM_GET_MSRS(0x%x) to read %s, got 0x%x", want.index(), want.expected().describe(), got)));
            }
        }
    }

    private static void judgeRun(Step.RunGuest r, StepOutcome outcome, String where, List<Mismatch> out, List<String> unchecked) {
        if (!(outcome instanceof StepOutcome.GuestRan ran)) {
            out.add(wrongShape(where, "a guest run", outcome));
            return;
        }
        Access inExit = r.pausedInExit();
        boolean atPause = ran.end() instanceof RunEnd.Reported || inExit != null && ran.end() instanceof RunEnd.InExit
                || r.endsInKvmRunFailure() && ran.end() instanceof RunEnd.KvmRunFailed
                || r.endsInEmulationFailure() && ran.end() instanceof RunEnd.EmulationFailed;
        if (!atPause) {
            // Report the run's failure once; accesses it never reached would only repeat it.
            long reached = ran.accesses().stream().filter(a -> !(a.result() instanceof GuestResult.NotRun)).count();
            out.add(new Mismatch(Mismatch.Kind.RUN_FAILED, where, "The guest run did not finish: " + ran.end().describe()
                    + " (after " + reached + " of " + r.accesses().size() + " accesses)"));
        }
        Access resumed = r.resume() == null ? null : r.resume().inExit();
        if (resumed != null && ran.resumed() != null && ran.resumed().unmodelled() != null) {
            unchecked.add(where + " answering the exit of " + resumed.describe() + ": " + ran.resumed().unmodelled());
        } else if (resumed != null && ran.resumed() != null) {
            judgeResumed(resumed, ran.resumed(), where + " answering the exit paused at '" + r.resume().from() + "' ("
                    + resumed.source() + ")", out);
        }
        for (int i = 0; i < r.accesses().size() && i < ran.accesses().size(); i++) {
            AccessOutcome got = ran.accesses().get(i);
            Access a = r.accesses().get(i);
            if (!atPause && got.result() instanceof GuestResult.NotRun && got.exits().isEmpty()) {
                continue;
            }
            String at = where + " access " + (i + 1) + " (" + a.source() + ")";
            if (got.unmodelled() != null) {
                unchecked.add(at + " " + a.describe() + ": " + got.unmodelled());
                continue;
            }
            // The access the step pauses in has exited but not finished: its guest outcome is the continue step's.
            boolean finished = !(a == inExit && ran.end() instanceof RunEnd.InExit);
            judgeAccess(a, got, at, finished, out);
        }
    }

    /** The access a continue step resumed from inside its exit: nothing more may exit, and the guest sees {@code then}. */
    private static void judgeResumed(Access a, AccessOutcome got, String where, List<Mismatch> out) {
        int before = out.size();
        if (got.exits().size() > 1) {
            out.add(new Mismatch(Mismatch.Kind.WRONG_EXIT, where, "Expected no further exit on " + a.describe()
                    + " once userspace answered, got " + got.describe()));
        } else {
            judgeGuest(a, got, a.exit(), where, out);
        }
        markX2apic(a, before, out);
    }

    static void judgeAccess(Access a, AccessOutcome got, String where, List<Mismatch> out) {
        judgeAccess(a, got, where, true, out);
    }

    private static void judgeAccess(Access a, AccessOutcome got, String where, boolean finished, List<Mismatch> out) {
        int before = out.size();
        judgeAccessOutcome(a, got, where, finished, out);
        markX2apic(a, before, out);
    }

    private static void markX2apic(Access a, int before, List<Mismatch> out) {
        if (Msr.isX2apic(a.index())) {
            // Any mismatch in 0x800-0x8ff is, first of all, the x2APIC exemption not holding.
            for (int i = before; i < out.size(); i++) {
                Mismatch m = out.get(i);
                out.set(i, new Mismatch(Mismatch.Kind.X2APIC_EXEMPTION, m.step(), m.message()));
            }
        }
    }

    private static void judgeAccessOutcome(Access a, AccessOutcome got, String where, boolean finished, List<Mismatch> out) {
        ExpectedExit exit = a.exit();
        if (exit == null && !got.exits().isEmpty()) {
            MsrExit x = got.exits().get(0);
            boolean denied = x.reason() == ExitReason.FILTER.bit;
            out.add(new Mismatch(denied ? Mismatch.Kind.FILTER_OVER_ENFORCED : Mismatch.Kind.WRONG_EXIT, where,
                    "Expected " + a.describe() + " to " + a.guest().describe() + " without exiting to userspace, got "
                            + got.describe()));
            return;
        }
        if (exit != null) {
            if (got.exits().isEmpty()) {
                boolean leaked = got.result() instanceof GuestResult.Completed && exit.reason() == ExitReason.FILTER;
                out.add(new Mismatch(leaked ? Mismatch.Kind.FILTER_NOT_ENFORCED : Mismatch.Kind.WRONG_EXIT, where,
                        "Expected " + exit.reason() + " exit on " + a.describe() + ", got no exit: the access "
                                + got.result().describe()));
                return;
            }
            MsrExit x = got.exits().get(0);
            List<String> wrong = new ArrayList<>();
            if (got.exits().size() > 1) {
                wrong.add(got.exits().size() + " exits");
            }
            if (x.reason() != exit.reason().bit) {
                wrong.add("reason " + ExitReason.nameOf(x.reason()));
            }
            if (x.op() != a.op().exitOp()) {
                wrong.add("a " + x.op() + " exit");
            }
            if (x.index() != a.index()) {
                wrong.add(String.format("index 0x%x", x.index()));
            }
            if (!exit.data().matches(x.data())) {
                wrong.add(String.format("data 0x%x instead of %s", x.data(), exit.data().describe()));
            }
            if (x.errorAndPad() != 0) {
                // kvm_msr_user_space(): "vcpu->run->msr.error = 0; memset(vcpu->run->msr.pad, 0, sizeof(vcpu->run->msr.pad));"
                wrong.add(String.format("msr.error and pad not preset to 0 (bytes 0x%016x)", x.errorAndPad()));
            }
            if (!wrong.isEmpty()) {
                out.add(new Mismatch(Mismatch.Kind.WRONG_EXIT, where, "Expected " + exit.reason() + " exit on "
                        + a.describe() + ", got " + String.join(", ", wrong) + " (" + got.describe() + ")"));
                return;
            }
        }
        if (finished) {
            judgeGuest(a, got, exit, where, out);
        }
    }

    private static void judgeGuest(Access a, AccessOutcome got, ExpectedExit exit, String where, List<Mismatch> out) {
        String after = exit == null ? "" : " after " + exit.answer().describe();
        GuestResult r = got.result();
        if (a.guest() instanceof GuestExpectation.Completes c) {
            if (!(r instanceof GuestResult.Completed done)) {
                boolean denied = r instanceof GuestResult.Faulted && exit == null;
                out.add(new Mismatch(denied ? Mismatch.Kind.FILTER_OVER_ENFORCED : Mismatch.Kind.WRONG_RESULT, where,
                        "Expected " + a.describe() + " to " + c.describe() + after + ", got: it " + r.describe()));
            } else if (a.op().readsValue() && !c.value().matches(done.value())) {
                out.add(new Mismatch(Mismatch.Kind.WRONG_RESULT, where, "Expected " + a.describe() + " to read "
                        + c.value().describe() + after + ", got " + String.format("0x%x", done.value())));
            }
        } else if (a.guest() instanceof GuestExpectation.KvmRunFails k) {
            if (!(r instanceof GuestResult.KvmRunFailed failed) || failed.errno() != k.errno()) {
                out.add(new Mismatch(Mismatch.Kind.WRONG_RESULT, where, "Expected " + a.describe() + " to " + k.describe()
                        + after + ", got: it " + r.describe()));
            }
        } else if (a.guest() instanceof GuestExpectation.EmulationFails e) {
            if (!(r instanceof GuestResult.EmulationFailed)) {
                out.add(new Mismatch(Mismatch.Kind.WRONG_RESULT, where, "Expected " + a.describe() + " to " + e.describe()
                        + after + ", got: it " + r.describe()));
            }
        } else if (a.guest() instanceof GuestExpectation.Faults f) {
            if (!(r instanceof GuestResult.Faulted fault)) {
                boolean leaked = r instanceof GuestResult.Completed && exit == null;
                out.add(new Mismatch(leaked ? Mismatch.Kind.FILTER_NOT_ENFORCED : Mismatch.Kind.WRONG_RESULT, where,
                        "Expected " + Vectors.name(f.vector()) + " on " + a.describe() + after + ", got: it " + r.describe()));
            } else if (fault.vector() != f.vector()) {
                out.add(new Mismatch(Mismatch.Kind.WRONG_RESULT, where, "Expected " + Vectors.name(f.vector())
                        + " on " + a.describe() + after + ", got " + Vectors.name(fault.vector())));
            }
        }
    }

    private static Mismatch wrongShape(String where, String what, StepOutcome outcome) {
        return new Mismatch(Mismatch.Kind.RUN_FAILED, where, "Expected the outcome of " + what + ", got " + outcome.describe());
    }

    private static String ioctlCount(int result) {
        return result < 0 ? Errno.describe(-result) : String.valueOf(result);
    }

    private static String indexes(List<Integer> msrs) {
        return msrs.stream().map(i -> String.format("0x%x", i)).collect(Collectors.joining(", ", "[", "]"));
    }
}
