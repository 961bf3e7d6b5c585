package io.msrconf.conformance;

import io.msrconf.spec.Access;
import io.msrconf.spec.Case;
import io.msrconf.abi.ExitReason;
import io.msrconf.spec.ExpectedExit;
import io.msrconf.spec.GuestExpectation;
import io.msrconf.spec.Step;
import io.msrconf.spec.UserspaceAnswer;
import io.msrconf.spec.ValueExpectation;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Variants of a case with exactly one expectation turned into its opposite (a #GP into a completion,
 * an exit into none, an errno into success, a value into another value). Each variant, judged against
 * the observation of the original case, must fail: that proves no expectation of the case is vacuous.
 */
final class ExpectationFlips {

    record Flip(String what, Case flipped) {
    }

    private ExpectationFlips() {
    }

    static List<Flip> of(Case c) {
        List<Flip> flips = new ArrayList<>();
        for (int s = 0; s < c.steps().size(); s++) {
            Step step = c.steps().get(s);
            String where = "step " + (s + 1);
            if (step instanceof Step.SetFilter f) {
                int flipped = f.expectedErrno() == 0 ? 22 : 0;
                flips.add(new Flip(where + ": set-filter expects " + flipped, replace(c, s,
                        new Step.SetFilter(f.filter(), flipped, f.source()))));
            } else if (step instanceof Step.EnableExits e) {
                int flipped = e.expectedErrno() == 0 ? 22 : 0;
                flips.add(new Flip(where + ": enable-exits expects " + flipped, replace(c, s,
                        new Step.EnableExits(e.mask(), e.capFlags(), flipped, e.source()))));
            } else if (step instanceof Step.XenHvmConfig x) {
                int flipped = x.expectedErrno() == 0 ? 22 : 0;
                flips.add(new Flip(where + ": xen-hvm-config expects " + flipped, replace(c, s,
                        new Step.XenHvmConfig(x.msr(), x.blobPages(), flipped, x.source()))));
            } else if (step instanceof Step.CheckExtension e) {
                flips.add(new Flip(where + ": value + 1", replace(c, s,
                        new Step.CheckExtension(e.capName(), e.cap(), e.expectedValue() + 1, e.source()))));
            } else if (step instanceof Step.HostSetMsrs h) {
                flips.add(new Flip(where + ": count + 1", replace(c, s, new Step.HostSetMsrs(h.msrs(), h.expectedCount() + 1, h.vcpu(), h.source()))));
            } else if (step instanceof Step.HostGetMsrs h) {
                flips.add(new Flip(where + ": count + 1", replace(c, s, new Step.HostGetMsrs(h.msrs(), h.expectedCount() + 1, h.vcpu(), h.source()))));
                for (int i = 0; i < h.msrs().size(); i++) {
                    Step.MsrRead r = h.msrs().get(i);
                    if (!r.expected().isAny()) {
                        List<Step.MsrRead> reads = new ArrayList<>(h.msrs());
                        reads.set(i, new Step.MsrRead(r.index(), otherValue(r.expected())));
                        flips.add(new Flip(where + ": value of MSR " + i, replace(c, s, new Step.HostGetMsrs(reads, h.expectedCount(), h.vcpu(), h.source()))));
                    }
                }
            } else if (step instanceof Step.RunGuest r) {
                for (int i = 0; i < r.accesses().size(); i++) {
                    Access a = r.accesses().get(i);
                    int at = i;
                    String access = where + " access " + (i + 1) + " " + a.describe();
                    for (AccessFlip flip : flipsOf(a)) {
                        List<Access> accesses = new ArrayList<>(r.accesses());
                        accesses.set(at, flip.flippedAccess());
                        Case flipped = replace(c, s, new Step.RunGuest(accesses, r.vcpu(), r.resume(), r.pause(), r.source()));
                        if (a == r.pausedInExit()) {
                            // The guest outcome of an access paused in its exit is checked by the continue step.
                            flipped = withResumedAccess(flipped, s, a, flip.flippedAccess());
                        }
                        flips.add(new Flip(access + ": " + flip.what(), flipped));
                    }
                }
            }
        }
        return flips;
    }

    /** The continue step after {@code from} that resumes {@code paused}, made to resume {@code flipped} instead. */
    private static Case withResumedAccess(Case c, int from, Access paused, Access flipped) {
        for (int s = from + 1; s < c.steps().size(); s++) {
            if (c.steps().get(s) instanceof Step.RunGuest r && r.resume() != null && r.resume().inExit() == paused) {
                Step.Resume resume = new Step.Resume(r.resume().from(), flipped, r.resume().total());
                return replace(c, s, new Step.RunGuest(r.accesses(), r.vcpu(), resume, r.pause(), r.source()));
            }
        }
        return c;
    }

    private record AccessFlip(String what, Access flippedAccess) {
    }

    private static List<AccessFlip> flipsOf(Access a) {
        List<AccessFlip> out = new ArrayList<>();
        UnaryOperator<GuestExpectation> opposite = g -> g instanceof GuestExpectation.Faults
                ? new GuestExpectation.Completes(ValueExpectation.ANY)
                : new GuestExpectation.Faults(GuestExpectation.Faults.GP);
        out.add(new AccessFlip("guest outcome flipped", with(a, a.exit(), opposite.apply(a.guest()))));
        if (a.guest() instanceof GuestExpectation.KvmRunFails k) {
            int other = k.errno() == io.msrconf.abi.Errno.EFAULT ? io.msrconf.abi.Errno.EINVAL : io.msrconf.abi.Errno.EFAULT;
            out.add(new AccessFlip("KVM_RUN fails with another errno", with(a, a.exit(), new GuestExpectation.KvmRunFails(other))));
        }
        if (a.guest() instanceof GuestExpectation.Completes c && !c.value().isAny()) {
            out.add(new AccessFlip("other value", with(a, a.exit(), new GuestExpectation.Completes(otherValue(c.value())))));
        }
        if (a.exit() == null) {
            ExpectedExit invented = new ExpectedExit(ExitReason.FILTER, ValueExpectation.ANY, UserspaceAnswer.REFUSE);
            out.add(new AccessFlip("FILTER exit expected", with(a, invented, a.guest())));
        } else {
            out.add(new AccessFlip("no exit expected", with(a, null, a.guest())));
            ExitReason other = a.exit().reason() == ExitReason.FILTER ? ExitReason.UNKNOWN : ExitReason.FILTER;
            out.add(new AccessFlip("exit reason " + other, with(a, new ExpectedExit(other, a.exit().data(), a.exit().answer(), a.exit().pause()), a.guest())));
            if (!a.exit().data().isAny()) {
                out.add(new AccessFlip("other exit data", with(a,
                        new ExpectedExit(a.exit().reason(), otherValue(a.exit().data()), a.exit().answer(), a.exit().pause()), a.guest())));
            }
        }
        return out;
    }

    private static ValueExpectation otherValue(ValueExpectation v) {
        if (v.negated()) {
            return v.opposite();    // "nonzero" becomes "exactly 0": flipping one bit of "not 0" would still pass
        }
        long lowestChecked = Long.lowestOneBit(v.mask());
        return new ValueExpectation(v.value() ^ lowestChecked, v.mask());
    }

    private static Access with(Access a, ExpectedExit exit, GuestExpectation guest) {
        return new Access(a.op(), a.index(), a.value(), exit, guest, a.source());
    }

    private static Case replace(Case c, int index, Step step) {
        List<Step> steps = new ArrayList<>(c.steps());
        steps.set(index, step);
        return new Case(c.id(), c.title(), c.area(), c.citation(), c.kernels(), c.vcpu(), steps, c.source(), c.requires());
    }
}
