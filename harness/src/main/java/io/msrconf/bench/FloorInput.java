package io.msrconf.bench;

import io.msrconf.filter.FilterRange;
import io.msrconf.filter.MsrFilter;
import io.msrconf.guest.GuestLayout;
import io.msrconf.guest.MsrScriptTable;
import io.msrconf.guest.Payload;
import io.msrconf.spec.Access;
import io.msrconf.spec.Case;
import io.msrconf.spec.Step;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * The input of bench/floor.c: the same guest memory image, start state and cases the Java harness
 * uses, in a little-endian binary form the C program reads without parsing YAML. The layout is
 * documented where floor.c reads it ({@code main}); this class is the only writer.
 */
final class FloorInput {

    static final int MAGIC = 0x42525346;   // "FSRB"
    static final int STEP_FILTER = 1;
    static final int STEP_RUN = 2;
    static final int STEP_HOST_SET = 3;
    static final int STEP_HOST_GET = 4;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private FloorInput() {
    }

    /** Whether the C floor runs this kind of step: one vCPU, made by the setup; no enable-exits; runs that start a guest. */
    static boolean floorRuns(Step step) {
        return !(step instanceof Step.EnableExits || step instanceof Step.CreateVcpu || step instanceof Step.SetCpuid
                || step instanceof Step.CheckExtension || step instanceof Step.XenHvmConfig
                || step instanceof Step.SetFilter f && f.filter() == null)
                && !(step instanceof Step.RunGuest r && (r.vcpu() != 0 || r.resume() != null || r.pausePoint() != null
                        || r.accesses().stream().anyMatch(a -> a.guest() != null && a.guest().endsTheGuest())))
                && !(step instanceof Step.HostSetMsrs h && h.vcpu() != 0) && !(step instanceof Step.HostGetMsrs g && g.vcpu() != 0);
    }

    static byte[] encode(Payload payload, List<Case> cases, int rounds, int warmup) {
        FloorInput in = new FloorInput();
        in.u32(MAGIC).u32(rounds).u32(warmup);
        byte[] tables = GuestLayout.systemTables(payload);
        in.u32(tables.length).bytes(tables);
        byte[] image = payload.image();
        in.u32(image.length).bytes(image);
        GuestLayout.StartState s = GuestLayout.startState(payload);
        in.u64(s.rip()).u64(s.rsp()).u64(s.rflags()).u64(s.cr0()).u64(s.cr3()).u64(s.cr4()).u64(s.efer());
        in.u64(s.gdtBase()).u64(s.idtBase()).u32(s.gdtLimit()).u32(s.idtLimit());
        in.segment(s.cs()).segment(s.data()).segment(s.tr());
        in.u32(cases.size());
        for (Case c : cases) {
            in.u32(c.vcpu().x2apic() ? 1 : 0).u32(c.vcpu().userspaceExits().isEmpty() ? 0 : c.vcpu().exitReasonMask());
            in.u32(c.steps().size());
            for (Step step : c.steps()) {
                in.step(step);
            }
        }
        return in.out.toByteArray();
    }

    private void step(Step step) {
        step.accept(new Step.Visitor<Void>() {
            @Override
            public Void setFilter(Step.SetFilter f) {
                MsrFilter filter = f.filter();
                if (filter == null) {
                    throw new IllegalArgumentException("the C floor does not pass a NULL filter argument (Bench leaves those cases out)");
                }
                u32(STEP_FILTER).u32(filter.flags()).u32(filter.ranges().size());
                for (FilterRange r : filter.ranges()) {
                    u32(r.flags()).u32(r.nmsrs()).u32(r.base());
                    if (r.bitmap() == null) {
                        u32(0xffffffff);
                    } else {
                        byte[] padded = r.kernelPaddedBitmap();
                        u32(padded.length).bytes(padded);
                    }
                }
                return null;
            }

            @Override
            public Void runGuest(Step.RunGuest r) {
                if (!floorRuns(r)) {
                    throw new IllegalArgumentException("the C floor does not pause or continue a guest (Bench leaves those cases out)");
                }
                byte[] table = MsrScriptTable.encode(r.accesses().stream().map(Access::scriptEntry).toList());
                u32(STEP_RUN).u32(table.length).bytes(table).u32(r.accesses().size());
                for (Access a : r.accesses()) {
                    boolean has = a.exit() != null;
                    u32(has ? 1 : 0).u32(has ? a.exit().answer().error() : 0).u64(has ? a.exit().answer().data() : 0);
                }
                return null;
            }

            @Override
            public Void hostSetMsrs(Step.HostSetMsrs h) {
                u32(STEP_HOST_SET).u32(h.msrs().size());
                h.msrs().forEach(m -> u32(m.index()).u64(m.value()));
                return null;
            }

            @Override
            public Void hostGetMsrs(Step.HostGetMsrs h) {
                u32(STEP_HOST_GET).u32(h.msrs().size());
                h.msrs().forEach(m -> u32(m.index()));
                return null;
            }

            @Override
            public Void enableExits(Step.EnableExits e) {
                throw new IllegalArgumentException("the C floor does not run enable-exits steps (Bench leaves those cases out)");
            }

            @Override
            public Void xenHvmConfig(Step.XenHvmConfig x) {
                throw new IllegalArgumentException("the C floor does not configure Xen (Bench leaves those cases out)");
            }

            @Override
            public Void checkExtension(Step.CheckExtension c) {
                throw new IllegalArgumentException("the C floor does not check capabilities (Bench leaves those cases out)");
            }

            @Override
            public Void createVcpu(Step.CreateVcpu c) {
                throw new IllegalArgumentException("the C floor has one vCPU, made by its setup (Bench leaves those cases out)");
            }

            @Override
            public Void setCpuid(Step.SetCpuid c) {
                throw new IllegalArgumentException("the C floor has one vCPU, made by its setup (Bench leaves those cases out)");
            }
        });
    }

    private FloorInput segment(GuestLayout.Segment s) {
        return u64(s.base()).u32(s.limit()).u32(s.selector()).u32(s.type()).u32(s.present() ? 1 : 0).u32(s.dpl())
                .u32(s.db() ? 1 : 0).u32(s.s() ? 1 : 0).u32(s.l() ? 1 : 0).u32(s.g() ? 1 : 0);
    }

    private FloorInput u32(int v) {
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
        return this;
    }

    private FloorInput u64(long v) {
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
        return this;
    }

    private FloorInput bytes(byte[] b) {
        out.writeBytes(b);
        return this;
    }
}
