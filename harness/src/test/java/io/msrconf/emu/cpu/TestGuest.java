package io.msrconf.emu.cpu;

import io.msrconf.guest.GuestLayout;
import io.msrconf.guest.Payload;
import io.msrconf.vcpu.VcpuExit;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

/**
 * A guest for executor tests, built exactly as the backends build one (GuestLayout's page tables, GDT,
 * IDT and start state) around a payload whose 32 exception stubs are each a HLT: an exception shows up
 * as {@link VcpuExit.Hlt} one byte past {@link #stub(int)}, with the CPU's frame on the stack.
 */
final class TestGuest {

    /** Where the code under test starts (the payload's entry point). */
    static final long CODE = GuestLayout.PAYLOAD_BASE + 0x400;
    private static final int STUBS = 0x200;
    private static final int STUB_STRIDE = 16;

    final GuestRam ram = new GuestRam(GuestLayout.MEMORY_SIZE);
    final Cpu cpu;

    private TestGuest(byte[] code, UnaryOperator<GuestLayout.StartState> startState) {
        Payload payload = payload(code);
        ram.write(GuestLayout.SYSTEM_TABLES_START, GuestLayout.systemTables(payload));
        ram.write(GuestLayout.PAYLOAD_BASE, payload.image());
        cpu = Cpu.fromStartState(startState.apply(GuestLayout.startState(payload)));
    }

    /** A payload entering {@code code} at {@link #CODE}, with HLT exception stubs. */
    static Payload payload(byte[] code) {
        byte[] image = new byte[(int) (CODE - GuestLayout.PAYLOAD_BASE) + code.length];
        ByteBuffer header = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        header.put("MSRCONF1".getBytes(StandardCharsets.US_ASCII));
        header.putInt((int) (CODE - GuestLayout.PAYLOAD_BASE)).putInt(STUBS).putInt(32).putInt(STUB_STRIDE);
        for (int vector = 0; vector < 32; vector++) {
            int stub = STUBS + vector * STUB_STRIDE;
            java.util.Arrays.fill(image, stub, stub + STUB_STRIDE, (byte) 0xcc);
            image[stub] = (byte) 0xf4;
        }
        System.arraycopy(code, 0, image, image.length - code.length, code.length);
        return Payload.fromImage("test", image);
    }

    /** A guest running {@code code}, given as hex bytes ("b8 05 00 00 00", "f4"). */
    static TestGuest running(String... code) {
        return new TestGuest(hex(code), UnaryOperator.identity());
    }

    /** As {@link #running(String...)} with EFER.NXE set, so that the XD bit of page tables counts. */
    static TestGuest runningWithNx(String... code) {
        return new TestGuest(hex(code), s -> new GuestLayout.StartState(s.cs(), s.data(), s.tr(), s.gdtBase(), s.gdtLimit(),
                s.idtBase(), s.idtLimit(), s.cr0(), s.cr3(), s.cr4(), s.efer() | Cpu.EFER_NXE, s.rip(), s.rsp(), s.rflags(), s.rdi()));
    }

    static byte[] hex(String... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String part : parts) {
            for (String b : part.trim().split("\\s+")) {
                out.write(Integer.parseInt(b, 16));
            }
        }
        return out.toByteArray();
    }

    static long stub(int vector) {
        return GuestLayout.PAYLOAD_BASE + STUBS + (long) vector * STUB_STRIDE;
    }

    /** Where a guest that entered the stub of {@code vector} halts: one byte past the stub's HLT. */
    static long inStub(int vector) {
        return stub(vector) + 1;
    }

    /** Runs until an exit that must be HLT, and returns the RIP it left (after the HLT). */
    long runToHlt() {
        return runToHlt(new FakeMsrs());
    }

    long runToHlt(MsrPort msrs) {
        VcpuExit exit = run(msrs);
        if (!(exit instanceof VcpuExit.Hlt)) {
            throw new AssertionError("expected the guest to halt, got " + exit.describe() + "\n" + cpu.describe());
        }
        return cpu.rip();
    }

    VcpuExit run() {
        return run(new FakeMsrs());
    }

    VcpuExit run(MsrPort msrs) {
        return cpu.run(ram, msrs, 10_000);
    }

    /** The 8-byte stack slot {@code slot} above RSP (slot 0 is the last value pushed). */
    long stack(int slot) {
        return ram.readU64(cpu.reg(Cpu.RSP) + 8L * slot);
    }

    /** Replaces the bytes at a guest physical address (the identity map makes it the linear address too). */
    void patch(long gpa, String... bytes) {
        ram.write(gpa, hex(bytes));
    }

    /** The arithmetic flags set in RFLAGS, by name: {"CF", "ZF", ...}. */
    static Set<String> arithmeticFlags(long rflags) {
        Set<String> set = new TreeSet<>();
        String[] names = {"CF", null, "PF", null, "AF", null, "ZF", "SF", null, null, null, "OF"};
        for (int bit = 0; bit < names.length; bit++) {
            if (names[bit] != null && (rflags & 1L << bit) != 0) {
                set.add(names[bit]);
            }
        }
        return set;
    }

    /** An MsrPort answering from tables; accesses to other MSRs fault. Records the writes. */
    static final class FakeMsrs implements MsrPort {
        final Map<Integer, MsrResult> reads = new HashMap<>();
        final Map<Integer, MsrResult> writes = new HashMap<>();
        final Map<Integer, Long> written = new HashMap<>();

        FakeMsrs read(int index, MsrResult result) {
            reads.put(index, result);
            return this;
        }

        FakeMsrs write(int index, MsrResult result) {
            writes.put(index, result);
            return this;
        }

        @Override
        public MsrResult rdmsr(int index) {
            return reads.getOrDefault(index, new MsrResult.Fault());
        }

        @Override
        public MsrResult wrmsr(int index, long value) {
            written.put(index, value);
            return writes.getOrDefault(index, new MsrResult.Fault());
        }
    }

    /** A port with forced emulation on or off, RDMSR answered from a table, and side-effect reads recorded. */
    static final class ForcedEmulationPort implements MsrPort {
        final boolean fep;
        final TestGuest.FakeMsrs msrs;
        MsrResult implicitRead = new MsrResult.Done(0x1_2345_6789L);
        final List<Integer> implicitReads = new ArrayList<>();
        long tsc = 0xabcdL;

        ForcedEmulationPort(boolean fep) {
            this(fep, new FakeMsrs());
        }

        ForcedEmulationPort(boolean fep, FakeMsrs msrs) {
            this.fep = fep;
            this.msrs = msrs;
        }

        @Override
        public MsrResult rdmsr(int index) {
            return msrs.rdmsr(index);
        }

        @Override
        public MsrResult wrmsr(int index, long value) {
            return msrs.wrmsr(index, value);
        }

        @Override
        public boolean forcedEmulationPrefix() {
            return fep;
        }

        @Override
        public MsrResult emulatorImplicitRead(int index) {
            implicitReads.add(index);
            return implicitRead;
        }

        @Override
        public long tsc() {
            return tsc;
        }
    }
}
