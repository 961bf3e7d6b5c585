package io.msrconf.emu.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.msrconf.guest.GuestLayout;
import io.msrconf.guest.Payload;
import io.msrconf.kvm.KvmFixture;
import io.msrconf.kvm.KvmVcpu;
import io.msrconf.kvm.KvmVm;
import io.msrconf.kvm.Registers;
import io.msrconf.kvm.SpecialRegisters;
import io.msrconf.vcpu.GuestMemory;
import io.msrconf.kvm.uapi.KvmIoctls;
import io.msrconf.pipeline.TargetInfo;
import io.msrconf.vcpu.VcpuExit;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The interpreter against the machine's CPU, through KVM, which is the reference: (1) blocks of random
 * ALU, shift, multiply, divide, move and flag instructions on random operands and flags, assembled by
 * GNU as, run on both; after each block RAX, RBX, RCX, RDX and RFLAGS must agree, except the flags the
 * SDM leaves undefined for that instruction; (2) exception scenarios (faults, traps, gates, double and
 * triple faults, IRETQ) whose exits, registers, CR2 and exception frames must agree. It needs this
 * machine's /dev/kvm, a real CPU: a kernel booted under QEMU would compare the interpreter with QEMU's TCG
 * CPU instead (which, unlike kvm_pvm and the interpreter, sets RF in the RFLAGS it pushes for a fault, as
 * the SDM says). Skipped without /dev/kvm (or binutils for the first).
 */
class KvmDifferentialTest {

    @RegisterExtension
    static final KvmFixture KVM = KvmFixture.forLocalTransport();



    private static final int BLOCKS = 1000;
    /** Each block pushes RFLAGS, RAX, RBX, RCX, RDX. */
    private static final int BLOCK_RESULT = 5 * 8;
    private static final long CF = 1;
    private static final long PF = 1 << 2;
    private static final long AF = 1 << 4;
    private static final long ZF = 1 << 6;
    private static final long SF = 1 << 7;
    private static final long OF = 1 << 11;
    private static final long ARITHMETIC = CF | PF | AF | ZF | SF | OF;

    private static final String[][] REGS = {
        {"al", "bl", "cl", "dl"}, {"ax", "bx", "cx", "dx"}, {"eax", "ebx", "ecx", "edx"}, {"rax", "rbx", "rcx", "rdx"}};
    private static final String[] HIGH_BYTES = {"ah", "bh", "ch", "dh"};
    private static final char[] SUFFIX = {'b', 'w', 'l', 'q'};
    private static final String[] CONDITIONS = {"o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g"};
    private static final long[] EDGES = {0, 1, 2, -1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffffL, 0x80000000L,
        0xffffffffL, Long.MAX_VALUE, Long.MIN_VALUE, 0x1f, 0x20, 0x3f, 0x40};

    /** One block: its instructions, the registers and flags it starts from, and the flags left undefined. */
    private record Block(String asm, long[] regs, long flags, long undefined) {
    }

    @TempDir
    Path dir;

    @Test
    void randomArithmeticAgreesWithTheRealCpu() throws Exception {
        assumeTrue(binutilsAvailable(), "GNU as/objcopy (binutils) are not installed");
        Random random = new Random(0x6b766d);
        List<String> mismatches = new ArrayList<>();
        for (int batch = 0; batch < 3; batch++) {
            List<Block> blocks = new ArrayList<>();
            for (int i = 0; i < BLOCKS; i++) {
                blocks.add(randomBlock(random));
            }
            Payload payload = TestGuest.payload(assemble(blocks));
            KvmOutcome onKvm = runOnKvm(payload, Map.of());
            assertThat(onKvm.exit).as("KVM exit: %s; registers:%n%s", onKvm.exit.describe(), onKvm.regs.describe())
                    .isInstanceOf(VcpuExit.Io.class);
            compare(blocks, results(onKvm.memory), results(runOnEmulator(payload)), mismatches);
        }
        assertThat(mismatches).as("blocks where the emulator and the CPU disagree").isEmpty();
    }

    /**
     * Guest code (hex, at TestGuest.CODE) and changes to the layout's memory (IDT gates, TSS, stubs).
     * {@code pvmDeviation}: why kvm_pvm, which delivers events in software, differs from the hardware
     * (and the emulator) here, or null.
     */
    private record Scenario(String name, String code, Map<Long, byte[]> patches, String pvmDeviation) {
        Scenario(String name, String code, Map<Long, byte[]> patches) {
            this(name, code, patches, null);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static final boolean ON_PVM = TargetInfo.read().kvmModules().contains("kvm_pvm");

    private static final String ECX_UNKNOWN_MSR = "b9 ef be ad de ";     // mov $0xdeadbeef,%ecx
    private static final String RAX_0X200000 = "b8 00 00 20 00 ";        // mov $0x200000,%eax (above the 2 MiB map)
    private static final String RAX_NON_CANONICAL = "48 b8 00 00 00 00 00 00 00 80 ";

    private static long gate(int vector) {
        return GuestLayout.IDT + vector * 16L;
    }

    static Stream<Scenario> exceptionScenarios() {
        byte[] notPresent = {0x0e};
        return Stream.of(
                new Scenario("#UD with IF set and RSP not 16-byte aligned", "fb 50 0f 0b", Map.of()),
                new Scenario("#GP from WRMSR of an MSR nothing implements", ECX_UNKNOWN_MSR + "0f 30", Map.of()),
                new Scenario("#GP from RDMSR of an MSR nothing implements", ECX_UNKNOWN_MSR + "0f 32", Map.of()),
                new Scenario("#DE", "31 c9 f7 f1", Map.of()),
                new Scenario("INT3", "cc", Map.of()),
                new Scenario("INT 0x80 through an empty gate", "cd 80", Map.of()),
                new Scenario("#PF loading unmapped memory", RAX_0X200000 + "8b 18", Map.of()),
                new Scenario("#PF storing to unmapped memory", RAX_0X200000 + "c7 00 01 00 00 00", Map.of()),
                new Scenario("#PF fetching from unmapped memory", RAX_0X200000 + "ff e0", Map.of()),
                new Scenario("#GP loading from a non-canonical address", RAX_NON_CANONICAL + "8b 18", Map.of()),
                new Scenario("#SS pushing to a non-canonical stack", RAX_NON_CANONICAL + "48 89 c4 50", Map.of()),
                new Scenario("#PF on the stack of every handler", "bc 00 00 30 00 0f 0b", Map.of()),
                new Scenario("double fault: the #GP gate is not present", ECX_UNKNOWN_MSR + "0f 30",
                        Map.of(gate(13) + 5, notPresent)),
                new Scenario("triple fault: the #GP and #DF gates are not present", ECX_UNKNOWN_MSR + "0f 30",
                        Map.of(gate(13) + 5, notPresent, gate(8) + 5, notPresent)),
                new Scenario("triple fault: an IDT limit of 0 (the test_triple_fault payload)",
                        "0f 01 1d 02 00 00 00 0f 0b 00 00 00 00 00 00 00 00 00 00", Map.of()),
                new Scenario("#UD through a task gate", "0f 0b", Map.of(gate(6) + 5, new byte[] {(byte) 0x85}),
                        "kvm_pvm delivers #UD through a 64-bit IDT entry of type 5 (task gate); the SDM says #GP"),
                new Scenario("INT3 through a gate with a data segment selector", "cc", Map.of(gate(3) + 2, new byte[] {0x10})),
                new Scenario("INT3 through a gate with a non-canonical target", "cc",
                        Map.of(gate(3) + 8, new byte[] {0, 0, 0, (byte) 0x80})),
                new Scenario("INT3 through a trap gate", "fb cc", Map.of(gate(3) + 5, new byte[] {(byte) 0x8f})),
                new Scenario("INT3 through a gate with IST 1", "cc", Map.of(gate(3) + 4, new byte[] {1},
                        GuestLayout.TSS + 0x24, new byte[] {8, 0, 7, 0, 0, 0, 0, 0})),
                new Scenario("IRETQ from the INT3 handler", "fb cc b8 01 00 00 00 f4",
                        Map.of(TestGuest.stub(3), new byte[] {0x48, (byte) 0xcf})),
                // addq $2,(%rsp); iretq: resume after the UD2
                new Scenario("IRETQ past the UD2 from the #UD handler", "fb 0f 0b b8 01 00 00 00 f4",
                        Map.of(TestGuest.stub(6), TestGuest.hex("48 83 04 24 02 48 cf"))),
                // add $8,%rsp (the error code); addq $2,(%rsp); iretq: resume after the WRMSR
                new Scenario("IRETQ past the WRMSR from the #GP handler", ECX_UNKNOWN_MSR + "0f 30 b8 01 00 00 00 f4",
                        Map.of(TestGuest.stub(13), TestGuest.hex("48 83 c4 08 48 83 04 24 02 48 cf"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("exceptionScenarios")
    void exceptionDeliveryAgreesWithTheRealCpu(Scenario scenario) {
        assumeTrue(!ON_PVM || scenario.pvmDeviation == null, () -> "known kvm_pvm deviation: " + scenario.pvmDeviation);
        Payload payload = TestGuest.payload(TestGuest.hex(scenario.code));
        KvmOutcome real = runOnKvm(payload, scenario.patches);
        // kvm_pvm fails to emulate INT3 and INT n (it ends KVM_RUN with an emulation failure): nothing to compare.
        assumeTrue(!(real.exit instanceof VcpuExit.InternalError), () -> "this machine's KVM could not run it: "
                + real.exit.describe());

        GuestRam ram = new GuestRam(GuestLayout.MEMORY_SIZE);
        ram.write(GuestLayout.SYSTEM_TABLES_START, GuestLayout.systemTables(payload));
        ram.write(GuestLayout.PAYLOAD_BASE, payload.image());
        scenario.patches.forEach(ram::write);
        Cpu cpu = Cpu.fromStartState(GuestLayout.startState(payload));
        VcpuExit exit = cpu.run(ram, new TestGuest.FakeMsrs(), 10_000);

        String context = String.format("KVM: %s%n%s%ncr2=0x%x%nemulator: %s%n%s", real.exit.describe(), real.regs.describe(),
                real.cr2, exit.describe(), cpu.describe());
        if (real.exit instanceof VcpuExit.Shutdown) {
            assertThat(exit).as(context).isInstanceOf(VcpuExit.Shutdown.class);
            return;
        }
        assertThat(real.exit).as(context).isEqualTo(new VcpuExit.Hlt());
        assertThat(exit).as(context).isEqualTo(new VcpuExit.Hlt());
        assertThat(cpu.rip()).as(context).isEqualTo(real.regs.rip());
        assertThat(new long[] {cpu.reg(Cpu.RAX), cpu.reg(Cpu.RSP), cpu.rflags(), cpu.cr2()}).as("rax, rsp, rflags, cr2; " + context)
                .containsExactly(real.regs.rax(), real.regs.rsp(), real.regs.rflags(), real.cr2);
        int rsp = (int) real.regs.rsp();
        int frame = Math.min(6 * 8, (int) GuestLayout.MEMORY_SIZE - rsp);
        assertThat(ram.read(rsp, frame)).as("the exception frame; " + context)
                .isEqualTo(java.util.Arrays.copyOfRange(real.memory, rsp, rsp + frame));
    }

    private static void compare(List<Block> blocks, byte[] kvm, byte[] emulator, List<String> mismatches) {
        java.nio.ByteBuffer k = java.nio.ByteBuffer.wrap(kvm).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        java.nio.ByteBuffer e = java.nio.ByteBuffer.wrap(emulator).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        String[] names = {"rdx", "rcx", "rbx", "rax", "rflags"};
        for (int i = 0; i < blocks.size(); i++) {
            Block b = blocks.get(i);
            int at = kvm.length - (i + 1) * BLOCK_RESULT;
            for (int slot = 0; slot < 5; slot++) {
                long mask = slot == 4 ? ~b.undefined : -1L;
                long cpu = k.getLong(at + slot * 8);
                long emu = e.getLong(at + slot * 8);
                if ((cpu & mask) != (emu & mask)) {
                    mismatches.add(String.format("%s [rax=0x%x rbx=0x%x rcx=0x%x rdx=0x%x rflags=0x%x]: %s is 0x%x on the CPU, "
                            + "0x%x in the emulator", b.asm.replace('\n', ';'), b.regs[0], b.regs[1], b.regs[2], b.regs[3], b.flags,
                            names[slot], cpu, emu));
                }
            }
        }
    }

    // ---- generation ----

    private static long operand(Random random) {
        return random.nextBoolean() ? EDGES[random.nextInt(EDGES.length)] : random.nextLong() >> random.nextInt(64);
    }

    private static Block randomBlock(Random random) {
        long[] regs = {operand(random), operand(random), operand(random), operand(random)};
        long flags = random.nextLong() & ARITHMETIC;
        int s = random.nextInt(4);
        int bytes = 1 << s;
        String sfx = String.valueOf(SUFFIX[s]);
        int dst = random.nextInt(4);
        int src = random.nextInt(4);
        String d = "%" + REGS[s][dst];
        String r = "%" + REGS[s][src];
        if (s == 0 && random.nextInt(4) == 0) {
            d = "%" + HIGH_BYTES[dst];      // AH..DH: encodable only without REX, as here (a..d registers)
        }
        String imm = "$" + (bytes == 1 ? random.nextInt(256) - 128 : random.nextBoolean() ? random.nextInt(256) - 128
                : bytes == 2 ? random.nextInt(65536) - 32768 : random.nextInt());
        String asm;
        long undefined = 0;
        switch (random.nextInt(12)) {
            case 0, 1 -> {
                String[] ops = {"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp", "test"};
                String op = ops[random.nextInt(ops.length)];
                asm = op + sfx + " " + (random.nextBoolean() ? r : imm) + "," + d;
                undefined = op.equals("or") || op.equals("and") || op.equals("xor") || op.equals("test") ? AF : 0;
            }
            case 2 -> {
                String[] ops = {"inc", "dec", "neg", "not"};
                asm = ops[random.nextInt(ops.length)] + sfx + " " + d;
            }
            case 3, 4 -> {
                String[] ops = {"shl", "shr", "sar", "rol", "ror"};
                String op = ops[random.nextInt(ops.length)];
                int bits = 8 * bytes;
                long count;
                switch (random.nextInt(3)) {
                    case 0 -> {
                        count = 1;
                        asm = op + sfx + " " + d;
                    }
                    case 1 -> {
                        count = regs[2] & 0xff;
                        asm = op + sfx + " %cl," + (d.equals("%cl") || d.equals("%ch") ? "%" + REGS[s][0] : d);
                    }
                    default -> {
                        int[] interesting = {0, 1, 2, bits - 1, bits, bits + 1, 31, 32, 63, random.nextInt(64)};
                        count = interesting[random.nextInt(interesting.length)];
                        asm = op + sfx + " $" + count + "," + d;
                    }
                }
                long masked = count & (bytes == 8 ? 63 : 31);
                boolean rotate = op.startsWith("ro");
                if (masked != 0) {
                    undefined = (masked != 1 ? OF : 0) | (rotate ? 0 : AF)
                            | (!rotate && !op.equals("sar") && masked >= bits ? CF : 0);
                }
            }
            case 5 -> {
                asm = (random.nextBoolean() ? "mul" : "imul") + sfx + " " + r;
                undefined = SF | ZF | AF | PF;
            }
            case 6 -> {
                String wide = "%" + REGS[Math.max(s, 1)][dst];
                String wideSrc = "%" + REGS[Math.max(s, 1)][src];
                String wideSfx = String.valueOf(SUFFIX[Math.max(s, 1)]);
                asm = random.nextBoolean() ? "imul" + wideSfx + " " + wideSrc + "," + wide
                        : "imul" + wideSfx + " " + imm + "," + wideSrc + "," + wide;
                undefined = SF | ZF | AF | PF;
            }
            case 7 -> {
                String[] extensions = {"movzbw %cl,%ax", "movzbl %bh,%edx", "movzbq %dl,%rax", "movzwl %cx,%ebx",
                    "movzwq %ax,%rdx", "movsbw %cl,%ax", "movsbl %ah,%edx", "movsbq %dl,%rcx", "movswl %cx,%ebx",
                    "movswq %ax,%rdx", "movslq %ecx,%rax", "cbtw", "cwtl", "cltq", "cwtd", "cltd", "cqto",
                    "movl %ecx,%eax", "movw %cx,%ax", "movb %cl,%ah", "movq $-5,%rbx", "movl $-5,%ebx"};
                asm = extensions[random.nextInt(extensions.length)];
            }
            case 8 -> {
                String cc = CONDITIONS[random.nextInt(16)];
                asm = random.nextBoolean() ? "set" + cc + " " + "%" + REGS[0][dst]
                        : "cmov" + cc + " %" + REGS[Math.max(s, 1)][src] + ",%" + REGS[Math.max(s, 1)][dst];
            }
            case 9 -> asm = random.nextBoolean() ? "xchg" + sfx + " " + r + "," + d
                    : "lea" + SUFFIX[Math.max(s, 1)] + " " + (random.nextInt(256) - 128) + "(%" + REGS[3][src] + ",%"
                    + REGS[3][dst] + "," + (1 << random.nextInt(4)) + "),%" + REGS[Math.max(s, 1)][dst];
            default -> {
                asm = divide(s, random.nextBoolean());
                undefined = ARITHMETIC;
            }
        }
        return new Block(asm, regs, flags, undefined);
    }

    /** A DIV/IDIV by CL/CX/ECX/RCX whose operands are first made valid (no #DE). */
    private static String divide(int s, boolean signed) {
        String c = "%" + REGS[s][2];
        String sfx = String.valueOf(SUFFIX[s]);
        String prepare;
        if (signed) {
            String[] extend = {"cbtw", "cwtd", "cltd", "cqto"};
            String positive = s == 3 ? "shrq $1," + c : "and" + sfx + " $" + ((1L << (8 * (1 << s) - 1)) - 1) + "," + c;
            prepare = extend[s] + "\n" + positive + "\nor" + sfx + " $1," + c;
        } else {
            prepare = (s == 0 ? "movb $0,%ah" : "mov" + sfx + " $0,%" + REGS[s][3]) + "\nor" + sfx + " $1," + c;
        }
        return prepare + "\n" + (signed ? "idiv" : "div") + sfx + " " + c;
    }

    private byte[] assemble(List<Block> blocks) throws IOException, InterruptedException {
        StringBuilder src = new StringBuilder(".code64\n.text\n");
        for (Block b : blocks) {
            for (int i = 0; i < 4; i++) {
                src.append("movabs $").append(b.regs[i]).append(",%").append(REGS[3][i]).append('\n');
            }
            src.append("pushq $").append(b.flags | 2).append("\npopfq\n").append(b.asm).append('\n');
            src.append("pushfq\npush %rax\npush %rbx\npush %rcx\npush %rdx\n");
        }
        src.append("out %al,$0xf4\n");
        Path source = dir.resolve("blocks.S");
        Files.writeString(source, src.toString(), StandardCharsets.UTF_8);
        exec("as", "--64", "-o", dir.resolve("blocks.o").toString(), source.toString());
        exec("objcopy", "-O", "binary", "-j", ".text", dir.resolve("blocks.o").toString(), dir.resolve("blocks.bin").toString());
        return Files.readAllBytes(dir.resolve("blocks.bin"));
    }

    private static void exec(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0).as("%s: %s", String.join(" ", command), output).isTrue();
    }

    private static boolean binutilsAvailable() {
        try {
            for (String tool : new String[] {"as", "objcopy"}) {
                Process p = new ProcessBuilder(tool, "--version").redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    return false;
                }
            }
            return true;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    // ---- running ----

    private static byte[] results(byte[] memory) {
        int end = (int) GuestLayout.STACK_TOP;
        return java.util.Arrays.copyOfRange(memory, end - BLOCKS * BLOCK_RESULT, end);
    }

    /** The guest memory after the run. */
    private static byte[] runOnEmulator(Payload payload) {
        GuestRam ram = new GuestRam(GuestLayout.MEMORY_SIZE);
        ram.write(GuestLayout.SYSTEM_TABLES_START, GuestLayout.systemTables(payload));
        ram.write(GuestLayout.PAYLOAD_BASE, payload.image());
        Cpu cpu = Cpu.fromStartState(GuestLayout.startState(payload));
        VcpuExit exit = cpu.run(ram, new TestGuest.FakeMsrs(), 10_000_000);
        assertThat(exit).as("emulator run; registers:%n%s", cpu.describe()).isEqualTo(new VcpuExit.Io(true, 0xf4, 1, 1, cpu.reg(Cpu.RAX) & 0xff));
        return ram.read(0, (int) GuestLayout.MEMORY_SIZE);
    }

    /** What a KVM run ended with: the exit, the registers, CR2 and the guest memory. */
    private record KvmOutcome(VcpuExit exit, Registers regs, long cr2, byte[] memory) {
    }

    /** As KvmBackend sets up a run: the layout's tables and start state, the CPUID KVM supports; no irqchip, so HLT exits. */
    private static KvmOutcome runOnKvm(Payload payload, Map<Long, byte[]> patches) {
        try (KvmVm vm = KVM.local().createVm()) {
            GuestMemory memory = vm.mapMemory(GuestLayout.MEMORY_SIZE);
            memory.write(GuestLayout.SYSTEM_TABLES_START, GuestLayout.systemTables(payload));
            memory.write(GuestLayout.PAYLOAD_BASE, payload.image());
            patches.forEach(memory::write);
            {
                KvmVcpu vcpu = vm.createVcpu(0);
                vcpu.setCpuid(KVM.local().supportedCpuid());
                GuestLayout.StartState s = GuestLayout.startState(payload);
                SpecialRegisters sregs = vcpu.getSregs();
                sregs.cs = segment(s.cs());
                sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = segment(s.data());
                sregs.tr = segment(s.tr());
                sregs.gdt = new SpecialRegisters.DescriptorTable(s.gdtBase(), s.gdtLimit());
                sregs.idt = new SpecialRegisters.DescriptorTable(s.idtBase(), s.idtLimit());
                sregs.cr0 = s.cr0();
                sregs.cr3 = s.cr3();
                sregs.cr4 = s.cr4();
                sregs.efer = s.efer();
                vcpu.setSregs(sregs);
                vcpu.setRegs(Registers.zero().withRip(s.rip()).withRsp(s.rsp()).withRflags(s.rflags()));
                VcpuExit exit = vcpu.run(System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
                assertThat(exit).as("KVM_RUN").isNotInstanceOf(VcpuExit.Interrupted.class).isNotInstanceOf(VcpuExit.RunFailed.class);
                return new KvmOutcome(exit, vcpu.getRegs(), vcpu.getSregs().cr2, memory.read(0, (int) GuestLayout.MEMORY_SIZE));
            }
        }
    }

    private static SpecialRegisters.Segment segment(GuestLayout.Segment s) {
        return new SpecialRegisters.Segment(s.base(), s.limit(), s.selector(), s.type(), s.present() ? 1 : 0, s.dpl(),
                s.db() ? 1 : 0, s.s() ? 1 : 0, s.l() ? 1 : 0, s.g() ? 1 : 0, 0, 0);
    }
}
