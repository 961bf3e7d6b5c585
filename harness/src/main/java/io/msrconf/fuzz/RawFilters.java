package io.msrconf.fuzz;

import static io.msrconf.fuzz.Gen.weighted;

import io.msrconf.filter.BitmapMemory;
import io.msrconf.filter.FilterRange;
import io.msrconf.filter.MsrFilter;
import io.msrconf.spec.Access;
import io.msrconf.spec.Case;
import io.msrconf.abi.ExitReason;
import io.msrconf.spec.ExpectedExit;
import io.msrconf.spec.GuestExpectation;
import io.msrconf.spec.KernelRange;
import io.msrconf.spec.MsrOp;
import io.msrconf.spec.Step;
import io.msrconf.spec.UserspaceAnswer;
import io.msrconf.spec.ValueExpectation;
import io.msrconf.spec.VcpuSetup;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Raw {@code struct kvm_msr_filter} contents for fuzzing KVM_X86_SET_MSR_FILTER itself: any filter
 * and range flags, nmsrs around every limit the kernel checks, and bitmap pointers to valid, short,
 * unmapped or NULL memory. Unlike {@link Generators}, which wants filters that mostly install, these
 * are mostly refused; the case around them checks that a refusal leaves the filter before it in force.
 */
public final class RawFilters {

    public static final String ID = "fuzz.raw-filter";
    /** The canary filter's MSR: IA32_SYSENTER_CS, which both backends read without side effects. */
    public static final int CANARY_MSR = 0x174;
    /** Denies RDMSR of {@link #CANARY_MSR} and nothing else. */
    public static final MsrFilter CANARY = new MsrFilter(MsrFilter.DEFAULT_ALLOW,
            List.of(FilterRange.allowing(MsrFilter.RANGE_READ, CANARY_MSR, 1)));

    /** Longer than any bitmap the kernel copies (0x600 bytes), so "longer than copied" is covered too. */
    private static final int MAX_BITMAP_LENGTH = MsrFilter.MAX_BITMAP_BYTES + 16;
    private static final int MAX_PROBES = 4;

    private RawFilters() {
    }

    /** Where one slot's bitmap pointer points; NULL is a null bitmap, the others a {@link BitmapMemory}. */
    enum Pointer {
        VALID, SHORT, UNMAPPED, WILD, NULL
    }

    /** A slot before placement: its fields, where its pointer goes, and how long the bitmap is. */
    record Slot(int flags, int nmsrs, int base, Pointer pointer, int lengthChoice, int randomLength, byte[] pattern) {

        FilterRange range() {
            if (pointer == Pointer.NULL) {
                return new FilterRange(flags, nmsrs, base, null);
            }
            byte[] bitmap = new byte[length()];
            for (int i = 0; i < bitmap.length; i++) {
                bitmap[i] = pattern[i % pattern.length];
            }
            return new FilterRange(flags, nmsrs, base, bitmap);
        }

        /**
         * Lengths that sit on the edges memdup_user() cares about: none, one byte, what nmsrs bits need
         * (short of the whole longs the kernel copies), one byte either side of the copy, or anything.
         */
        private int length() {
            long copy = Math.min(FilterRange.kernelCopyBytes(nmsrs), MAX_BITMAP_LENGTH - 1);
            long length = switch (lengthChoice) {
                case 0 -> 0;
                case 1 -> 1;
                case 2 -> FilterRange.bitmapBytesFor(nmsrs);
                case 3 -> copy - 1;
                case 4 -> copy;
                case 5 -> copy + 1;
                default -> randomLength;
            };
            return (int) Math.max(0, Math.min(length, MAX_BITMAP_LENGTH));
        }

        BitmapMemory memory() {
            return switch (pointer) {
                case SHORT -> BitmapMemory.SHORT;
                case UNMAPPED -> BitmapMemory.UNMAPPED;
                case WILD -> BitmapMemory.WILD;
                case VALID, NULL -> BitmapMemory.VALID_PADDED;
            };
        }
    }

    public static Gen<MsrFilter> filters() {
        Gen<Integer> flags = Gen.frequency(
                weighted(40, Gen.just(MsrFilter.DEFAULT_ALLOW)),
                weighted(40, Gen.just(MsrFilter.DEFAULT_DENY)),
                weighted(10, Gen.of(2, 3, 0x80, 0x8000_0000)),
                weighted(10, Gen.anyInt()));
        Gen<List<Slot>> slots = slots().list(0, MsrFilter.MAX_RANGES);
        return c -> filter(flags.draw(c), slots.draw(c));
    }

    static MsrFilter filter(int flags, List<Slot> slots) {
        Map<Integer, BitmapMemory> placement = new HashMap<>();
        for (int i = 0; i < slots.size(); i++) {
            if (slots.get(i).pointer() != Pointer.NULL) {
                placement.put(i, slots.get(i).memory());
            }
        }
        return new MsrFilter(flags, slots.stream().map(Slot::range).toList(), placement);
    }

    static Gen<Slot> slots() {
        Gen<Integer> flags = Gen.frequency(
                weighted(25, Gen.just(MsrFilter.RANGE_READ)),
                weighted(25, Gen.just(MsrFilter.RANGE_WRITE)),
                weighted(25, Gen.just(MsrFilter.RANGE_READ | MsrFilter.RANGE_WRITE)),
                weighted(15, Gen.of(0, 4, 7, 0x8000_0001)),
                weighted(10, Gen.anyInt()));
        Gen<Integer> nmsrs = Gen.frequency(
                weighted(15, Gen.of(1, 63, 64, 65)),
                weighted(10, Gen.just(0)),
                weighted(25, Gen.between(1, 0x300)),
                weighted(20, Gen.of(MsrFilter.MAX_NMSRS - 64, MsrFilter.MAX_NMSRS - 1, MsrFilter.MAX_NMSRS,
                        MsrFilter.MAX_NMSRS + 1)),
                weighted(15, Gen.of(0xffff_ffff, 0x8000_0000, 0xffff_ffc1)),
                weighted(15, Gen.anyInt()));
        Gen<Integer> base = Gen.frequency(
                weighted(80, Generators.bases()),
                weighted(20, Gen.anyInt()));
        Gen<Pointer> pointer = Gen.of(Pointer.values());
        Gen<Integer> lengthChoice = Gen.between(0, 6);
        Gen<Integer> randomLength = Gen.between(0, MAX_BITMAP_LENGTH);
        Gen<byte[]> pattern = Gen.bytes(1, 16);
        return c -> new Slot(flags.draw(c), nmsrs.draw(c), base.draw(c), pointer.draw(c), lengthChoice.draw(c),
                randomLength.draw(c), pattern.draw(c));
    }

    /**
     * Install {@link #CANARY}, then the raw filter (expecting what {@link FilterOracle} says), then
     * run a guest that reads the canary MSR and, where the model can answer, reads the first MSRs of
     * the raw filter's ranges: those show that an accepted short bitmap was read from the right bytes.
     */
    public static Case canaryCase(MsrFilter raw, boolean filterExits) {
        VcpuSetup vcpu = new VcpuSetup(false, filterExits ? EnumSet.of(ExitReason.FILTER) : Set.of());
        ExpectedExit exit = filterExits ? new ExpectedExit(ExitReason.FILTER, ValueExpectation.ANY, UserspaceAnswer.REFUSE) : null;
        Set<Integer> probes = new LinkedHashSet<>();
        probes.add(CANARY_MSR);
        for (FilterRange r : raw.ranges()) {
            if (r.nmsrs() != 0 && probes.size() < MAX_PROBES && Generators.modelAnswers(r.base())) {
                probes.add(r.base());
            }
        }
        List<Access> accesses = new ArrayList<>();
        for (int msr : probes) {
            accesses.add(new Access(MsrOp.RDMSR, msr, 0, exit, new GuestExpectation.Completes(ValueExpectation.ANY),
                    Generators.GENERATED));
        }
        return new Case(ID, "Raw KVM_X86_SET_MSR_FILTER: the errno matches, and a refused filter leaves the canary in force",
                Generators.AREA, new io.msrconf.spec.Citation(List.of(new io.msrconf.spec.Citation.Code("kvm_add_msr_filter()", "", ""),
                        new io.msrconf.spec.Citation.Note("generated: review before adding"))), KernelRange.DEFAULT, vcpu,
                List.of(new Step.SetFilter(CANARY, 0, Generators.GENERATED),
                        new Step.SetFilter(raw, FilterOracle.errno(raw), Generators.GENERATED),
                        new Step.RunGuest(accesses, Generators.GENERATED)),
                Generators.GENERATED);
    }

    /**
     * The filter as the bytes the ioctl sees, for a failure report: the struct's fields, and per slot
     * where the bitmap pointer went and the bitmap bytes (the first 64).
     */
    public static String rawBytes(MsrFilter filter) {
        StringBuilder sb = new StringBuilder(String.format("kvm_msr_filter.flags=0x%08x%n", filter.flags()));
        for (int i = 0; i < filter.ranges().size(); i++) {
            FilterRange r = filter.ranges().get(i);
            sb.append(String.format("  range[%d] flags=0x%08x nmsrs=0x%08x base=0x%08x bitmap=", i, r.flags(), r.nmsrs(), r.base()));
            if (r.bitmap() == null) {
                sb.append("NULL");
            } else {
                byte[] b = r.bitmap();
                sb.append(filter.bitmapMemory(i)).append(' ').append(b.length).append(" bytes [")
                        .append(HexFormat.of().formatHex(b, 0, Math.min(b.length, 64))).append(b.length > 64 ? "...]" : "]");
            }
            sb.append(System.lineSeparator());
        }
        return sb.toString();
    }
}
