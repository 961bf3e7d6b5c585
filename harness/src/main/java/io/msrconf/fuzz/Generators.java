package io.msrconf.fuzz;

import io.msrconf.abi.Msr;
import io.msrconf.filter.FilterRange;
import io.msrconf.filter.MsrFilter;
import io.msrconf.spec.Access;
import io.msrconf.spec.Case;
import io.msrconf.abi.ExitReason;
import io.msrconf.spec.ExpectedExit;
import io.msrconf.spec.GuestExpectation;
import io.msrconf.spec.KernelRange;
import io.msrconf.spec.MsrOp;
import io.msrconf.spec.SourceRef;
import io.msrconf.spec.Step;
import io.msrconf.spec.UserspaceAnswer;
import io.msrconf.spec.ValueExpectation;
import io.msrconf.spec.VcpuSetup;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;
import static io.msrconf.fuzz.Gen.weighted;

/**
 * Generators for differential cases: a filter, a vCPU setup and one run of accesses, with the
 * userspace answers. Accesses only touch MSRs whose behaviour the emulator models or that KVM does not
 * know at all, so that a generated case is about the filter and nearly never skipped on the model.
 */
public final class Generators {

    public static final String AREA = "fuzz";
    public static final String ID = "fuzz.generated";
    static final SourceRef GENERATED = new SourceRef(Path.of("<generated>"), 1);
    /** A generated case's citation: a note, which a case of the suite may not stop at (RulesTest wants a source). */
    static final io.msrconf.spec.Citation CITATION = io.msrconf.spec.Citation.note(
            "Documentation/virt/kvm/api.rst, KVM_X86_SET_MSR_FILTER (generated: review before adding)");

    /** MSRs KVM knows and the model emulates: TSC, SYSENTER_CS/ESP/EIP, EFER (read only), STAR, LSTAR, CSTAR, SFMASK. */
    static final List<Integer> KNOWN = List.of(0x10, 0x174, 0x175, 0x176, 0xc0000080, 0xc0000081, 0xc0000082, 0xc0000083,
            0xc0000084);
    /** The x2APIC registers the model emulates: ID, version, TPR, EOI, LDR. */
    static final List<Integer> X2APIC = List.of(0x802, 0x803, 0x808, 0x80b, 0x80d);
    /** Outside every architectural and paravirtual MSR range: KVM cannot know them. */
    static final List<Integer> UNKNOWN = List.of(0x12345678, 0xdeadbeef, 0xffffff10, 0xfffffffe, 0xffffffff);

    private static final long[] CANONICAL = {0, 0x1000, 0x7fff_ffff_f000L, 0xffff_8000_0000_0000L, 0xffff_ffff_8100_0000L};
    private static final long[] ANSWER_DATA = {0, 1, 0x1234, 0xdead_beef_0000_0000L, -1L};

    private Generators() {
    }

    /**
     * A whole case: set-filter (expecting what the oracle says), then one run of 1 to 12 accesses. Filter,
     * setup and accesses are drawn one after the other and only combined at the end, so that a shrunk
     * filter re-aims the accesses at the remaining edges instead of drawing new ones.
     */
    public static Gen<Case> cases() {
        return cases(1, 12);
    }

    /** Cases whose run has {@code minAccesses} to {@code maxAccesses} accesses. */
    public static Gen<Case> cases(int minAccesses, int maxAccesses) {
        Gen<MsrFilter> filters = filters();
        Gen<VcpuSetup> setups = vcpuSetups();
        Gen<List<Draw>> draws = draws().list(minAccesses, maxAccesses);
        // Drawn after everything else, so that the choices of a case without a live change shrink as before.
        Gen<Boolean> live = Gen.frequency(weighted(70, Gen.just(false)), weighted(30, Gen.just(true)));
        Gen<Integer> splits = Gen.between(1, Math.max(1, maxAccesses - 1));
        return c -> {
            MsrFilter filter = filters.draw(c);
            VcpuSetup vcpu = setups.draw(c);
            List<Draw> drawn = draws.draw(c);
            List<Step> steps = new ArrayList<>();
            steps.add(new Step.SetFilter(filter, FilterOracle.errno(filter), GENERATED));
            if (drawn.size() >= 2 && live.draw(c)) {
                // A live change: the guest pauses, a second filter is set (or refused), and the same guest goes on
                // with accesses aimed at the filter then in force.
                MsrFilter second = filters.draw(c);
                int split = Math.min(splits.draw(c), drawn.size() - 1);
                MsrFilter inForce = FilterOracle.errno(second) == 0 ? second : FilterOracle.errno(filter) == 0 ? filter : null;
                steps.add(new Step.RunGuest(drawn.subList(0, split).stream().map(d -> d.access(filter, vcpu)).toList(), 0, null,
                        LIVE_PAUSE, GENERATED));
                steps.add(new Step.SetFilter(second, FilterOracle.errno(second), GENERATED));
                steps.add(new Step.RunGuest(drawn.subList(split, drawn.size()).stream().map(d -> d.access(inForce, vcpu)).toList(), 0,
                        new Step.Resume(LIVE_PAUSE, null, split), null, GENERATED));
            } else {
                steps.add(new Step.RunGuest(drawn.stream().map(d -> d.access(filter, vcpu)).toList(), GENERATED));
            }
            return new Case(ID, "Generated differential case: KVM and the reference model observe the same, as the filter decides",
                    AREA, CITATION,
                    KernelRange.DEFAULT, vcpu, steps, GENERATED);
        };
    }

    /** The pause point of a generated live filter change. */
    static final String LIVE_PAUSE = "filter-change";

    /** One case drawn from a seeded random, for the campaign: a seed repeats a campaign. */
    public static Case next(Random random) {
        return next(random, 1, 12);
    }

    /** Like {@link #next(Random)}, with runs of {@code minAccesses} to {@code maxAccesses} accesses. */
    public static Case next(Random random, int minAccesses, int maxAccesses) {
        return cases(minAccesses, maxAccesses).draw(Choices.of(random));
    }

    /** Raw filters: valid ones mostly, with invalid flags, empty slots, overlaps and u32 edges mixed in. */
    public static Gen<MsrFilter> filters() {
        Gen<Integer> flags = Gen.frequency(
                weighted(45, Gen.just(MsrFilter.DEFAULT_ALLOW)),
                weighted(45, Gen.just(MsrFilter.DEFAULT_DENY)),
                weighted(10, Gen.of(2, 3, 0x80, 0x8000_0000)));
        Gen<List<FilterRange>> ranges = ranges().list(0, MsrFilter.MAX_RANGES);
        return c -> new MsrFilter(flags.draw(c), ranges.draw(c));
    }

    static Gen<FilterRange> ranges() {
        Gen<Integer> flags = Gen.frequency(
                weighted(30, Gen.just(MsrFilter.RANGE_READ)),
                weighted(30, Gen.just(MsrFilter.RANGE_WRITE)),
                weighted(30, Gen.just(MsrFilter.RANGE_READ | MsrFilter.RANGE_WRITE)),
                weighted(5, Gen.of(0, 4)),
                weighted(2, Gen.of(7, 0x8000_0001)));
        Gen<Integer> nmsrs = Gen.frequency(
                weighted(60, Gen.between(1, 16)),
                weighted(8, Gen.just(0)),
                weighted(20, Gen.between(17, 0x300)),
                weighted(8, Gen.just(MsrFilter.MAX_NMSRS)),
                weighted(4, Gen.of(MsrFilter.MAX_NMSRS + 1, 0xffff_ffff)));
        Gen<Bitmap> kind = Gen.frequency(weighted(6, Gen.just(Bitmap.RANDOM)), weighted(2, Gen.just(Bitmap.ALLOW_ALL)),
                weighted(2, Gen.just(Bitmap.DENY_ALL)));
        Gen<byte[]> pattern = Gen.bytes(1, 16);
        Gen<Integer> bases = bases();
        return c -> {
            int f = flags.draw(c);
            int base = bases.draw(c);
            int n = nmsrs.draw(c);
            Bitmap k = kind.draw(c);
            return new FilterRange(f, n, base, k.bitmap(n, pattern.draw(c)));
        };
    }

    /** Bases just around the MSRs the accesses use, and at both ends of the u32 index space. */
    static Gen<Integer> bases() {
        List<Integer> anchors = new ArrayList<>(KNOWN);
        anchors.addAll(X2APIC);
        anchors.addAll(UNKNOWN);
        Gen<Integer> anchor = Gen.of(anchors);
        Gen<Integer> offset = Gen.of(0, -1, 1, -2, 2, -3, 3, -4, 4);
        return Gen.frequency(
                weighted(70, c -> anchor.draw(c) + offset.draw(c)),
                weighted(15, Gen.between(0, 0x10)),
                weighted(15, Gen.between(-0x20, -1)));
    }

    /**
     * Bitmaps of exactly the bytes nmsrs needs: a short random pattern repeated, all allow or all deny.
     * Oversized ranges, refused anyway, get one byte: the harness pads a short bitmap to what the kernel copies.
     */
    enum Bitmap {
        RANDOM, ALLOW_ALL, DENY_ALL;

        byte[] bitmap(int nmsrs, byte[] pattern) {
            int bytes = Integer.compareUnsigned(nmsrs, MsrFilter.MAX_NMSRS) > 0 ? 1 : FilterRange.bitmapBytesFor(nmsrs);
            byte[] bitmap = new byte[bytes];
            for (int i = 0; i < bytes; i++) {
                bitmap[i] = switch (this) {
                    case RANDOM -> pattern[i % pattern.length];
                    case ALLOW_ALL -> (byte) 0xff;
                    case DENY_ALL -> 0;
                };
            }
            return bitmap;
        }
    }

    public static Gen<VcpuSetup> vcpuSetups() {
        Gen<Boolean> x2apic = Gen.of(false, true);
        Gen<List<ExitReason>> exits = Gen.subsetOf(List.of(ExitReason.values()));
        return c -> new VcpuSetup(x2apic.draw(c), Set.copyOf(exits.draw(c)));
    }

    /** Where an access's index comes from. */
    enum Target {
        KNOWN, EDGE, X2APIC, UNKNOWN
    }

    /**
     * One access before it meets its case: the target and a pick among its indexes, the op, a raw value
     * that {@link #validValue} turns into one the MSR accepts, and userspace's answer if it exits.
     */
    record Draw(Target target, int pick, MsrOp op, long rawValue, UserspaceAnswer answer) {

        Access access(MsrFilter filter, VcpuSetup vcpu) {
            List<Integer> edges = edges(filter);
            List<Integer> from = switch (target) {
                case EDGE -> edges.isEmpty() ? Generators.KNOWN : edges;
                case KNOWN -> Generators.KNOWN;
                case X2APIC -> Generators.X2APIC;
                case UNKNOWN -> Generators.UNKNOWN;
            };
            int msr = from.get(pick % from.size());
            MsrOp o = msr == Msr.MSR_EFER ? MsrOp.RDMSR : op;   // EFER writes are outside the model
            return new Access(o, msr, o == MsrOp.WRMSR ? validValue(msr, rawValue) : 0, exit(vcpu),
                    new GuestExpectation.Completes(ValueExpectation.ANY), GENERATED);
        }

        /**
         * Backends only answer accesses that carry an ExpectedExit, so each one does when exits are
         * enabled; its reason is one that is enabled (the spec format insists) but is not what the
         * property checks. EnumSet, not the setup's own Set: that one's order changes between JVMs.
         */
        private ExpectedExit exit(VcpuSetup vcpu) {
            if (vcpu.userspaceExits().isEmpty()) {
                return null;
            }
            ExitReason reason = vcpu.userspaceExits().contains(ExitReason.FILTER) ? ExitReason.FILTER
                    : EnumSet.copyOf(vcpu.userspaceExits()).iterator().next();
            return new ExpectedExit(reason, ValueExpectation.ANY, answer);
        }
    }

    static Gen<Draw> draws() {
        Gen<Target> target = Gen.frequency(weighted(3, Gen.just(Target.KNOWN)), weighted(4, Gen.just(Target.EDGE)),
                weighted(2, Gen.just(Target.X2APIC)), weighted(1, Gen.just(Target.UNKNOWN)));
        // What userspace answers if the access exits: data for a read (error 0), or a refusal (error 1).
        Gen<UserspaceAnswer> answer = Gen.frequency(
                weighted(4, Gen.of(Arrays.stream(ANSWER_DATA).boxed().toList()).map(d -> new UserspaceAnswer(0, d))),
                weighted(1, Gen.just(UserspaceAnswer.REFUSE)));
        Gen<Integer> pick = Gen.between(0, 0xffff);
        Gen<MsrOp> op = Gen.of(MsrOp.RDMSR, MsrOp.WRMSR);
        return c -> new Draw(target.draw(c), pick.draw(c), op.draw(c), c.any(), answer.draw(c));
    }

    /**
     * Indexes just inside and outside each non-empty range, kept only where the model can answer: an
     * MSR it emulates or one KVM cannot know. Anything else in the architectural ranges would skip the case.
     */
    static List<Integer> edges(MsrFilter filter) {
        Set<Integer> edges = new TreeSet<>();
        if (filter == null) {
            return List.of();   // no filter in force: nothing to aim at
        }
        for (FilterRange r : filter.ranges()) {
            if (r.nmsrs() != 0) {
                int end = r.base() + r.nmsrs();
                IntStream.of(r.base() - 1, r.base(), r.base() + 1, end - 2, end - 1, end, end + 1)
                        .filter(Generators::modelAnswers).forEach(edges::add);
            }
        }
        return List.copyOf(edges);
    }

    static boolean modelAnswers(int msr) {
        long m = Integer.toUnsignedLong(msr);
        boolean architectural = m < 0x2000 || m >= 0x4000_0000L && m < 0x4000_0200L
                || m >= 0x4b56_4d00L && m < 0x4b56_4e00L || m >= 0xc000_0000L && m < 0xc001_2000L;
        return KNOWN.contains(msr) || X2APIC.contains(msr) || !architectural;
    }

    /** A value the MSR accepts, so that a write is about the filter, not about value validation. */
    static long validValue(int msr, long raw) {
        return switch (msr) {
            case 0x175, 0x176, 0xc0000082, 0xc0000083 -> CANONICAL[(int) Long.remainderUnsigned(raw, CANONICAL.length)];
            case 0x174, 0xc0000084 -> raw & 0xffff;
            case 0xc0000081, 0x10 -> raw & 0xffff_ffffL;
            case 0x808 -> raw & 0xff;   // TPR: bits 63:8 are reserved
            case 0x80b -> 0;            // EOI: the architectural write is 0
            default -> X2APIC.contains(msr) ? raw & 0xff : raw;
        };
    }
}
