package io.msrconf.kvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.msrconf.abi.Errno;
import io.msrconf.abi.ExitReason;
import io.msrconf.abi.KvmCap;
import io.msrconf.abi.KvmExit;
import io.msrconf.filter.MsrFilter;
import io.msrconf.kvm.uapi.KvmIoctls;
import io.msrconf.kvm.uapi.KvmLayouts;
import io.msrconf.kvm.local.LibC;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hand-written layouts and numbers against the machine's own headers: a C program prints
 * sizeof/offsetof and the macros, and every Java value must equal its C twin.
 */
class UapiLayoutTest {

    private static final Path KVM_HEADER = Path.of("/usr/include/linux/kvm.h");

    /** KvmLayouts fields and the C expression each stands for. */
    private static final Map<String, String> LAYOUT_EXPRESSIONS = layoutExpressions();

    @Test
    void documentedFixedPoints() {
        assertThat(KvmLayouts.MsrFilter.SIZE).isEqualTo(392);
        assertThat(KvmLayouts.MsrFilterRange.SIZE).isEqualTo(24);
        assertThat(KvmLayouts.MsrFilterRange.BITMAP).isEqualTo(16);
        assertThat(KvmLayouts.Regs.SIZE).isEqualTo(144);
        assertThat(KvmLayouts.Sregs.SIZE).isEqualTo(312);
        assertThat(KvmIoctls.KVM_RUN).isEqualTo(0xAE80L);
        assertThat(KvmIoctls.KVM_X86_SET_MSR_FILTER).isEqualTo(0x4188AEC6L);
    }

    @Test
    void exitReasonNamesMatchTheConstants() throws IllegalAccessException {
        for (Field f : numericConstants(KvmExit.class)) {
            if (f.getName().startsWith("KVM_EXIT_") && !f.getName().startsWith("KVM_EXIT_IO_")) {
                assertThat(KvmExit.name(f.getInt(null))).as(f.getName()).isEqualTo(f.getName());
            }
        }
        assertThat(KvmExit.name(1000)).isEqualTo("KVM_EXIT_? (1000)");
    }

    @Test
    void everyLayoutConstantIsChecked() {
        Set<String> declared = new TreeSet<>();
        for (Class<?> struct : KvmLayouts.class.getDeclaredClasses()) {
            numericConstants(struct).forEach(f -> declared.add(struct.getSimpleName() + "." + f.getName()));
        }
        assertThat(LAYOUT_EXPRESSIONS.keySet()).containsExactlyInAnyOrderElementsOf(declared);
    }

    @Test
    void matchesTheSystemHeaders(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isRegularFile(KVM_HEADER), KVM_HEADER + " is not installed (linux-libc-dev)");
        assumeTrue(gccAvailable(), "gcc is not installed or does not run");

        Map<String, Long> java = new LinkedHashMap<>();
        Map<String, String> c = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : LAYOUT_EXPRESSIONS.entrySet()) {
            java.put(e.getKey(), layoutValue(e.getKey()));
            c.put(e.getKey(), e.getValue());
        }
        List<RecordComponent> regs = List.of(Registers.class.getRecordComponents());
        for (int i = 0; i < regs.size(); i++) {
            String name = regs.get(i).getName();
            java.put("Registers." + name, 8L * i);
            c.put("Registers." + name, "offsetof(struct kvm_regs, " + name + ")");
        }
        // these classes name their constants exactly as the C headers do
        for (Class<?> cls : List.of(KvmIoctls.class, KvmCap.class, KvmExit.class, LibC.class, Errno.class)) {
            for (Field f : numericConstants(cls)) {
                java.put(cls.getSimpleName() + "." + f.getName(), ((Number) f.get(null)).longValue());
                c.put(cls.getSimpleName() + "." + f.getName(), f.getName());
            }
        }
        // the userspace MSR exit reasons, as KVM_ENABLE_CAP and kvm_run.msr.reason take them
        for (ExitReason r : ExitReason.values()) {
            java.put("ExitReason." + r, (long) r.bit);
            c.put("ExitReason." + r, "KVM_MSR_EXIT_REASON_" + r);
        }
        // the filter value type's constants are marshalled as they are
        java.put("MsrFilter.DEFAULT_ALLOW", (long) MsrFilter.DEFAULT_ALLOW);
        c.put("MsrFilter.DEFAULT_ALLOW", "KVM_MSR_FILTER_DEFAULT_ALLOW");
        java.put("MsrFilter.DEFAULT_DENY", (long) MsrFilter.DEFAULT_DENY);
        c.put("MsrFilter.DEFAULT_DENY", "KVM_MSR_FILTER_DEFAULT_DENY");
        java.put("MsrFilter.RANGE_READ", (long) MsrFilter.RANGE_READ);
        c.put("MsrFilter.RANGE_READ", "KVM_MSR_FILTER_READ");
        java.put("MsrFilter.RANGE_WRITE", (long) MsrFilter.RANGE_WRITE);
        c.put("MsrFilter.RANGE_WRITE", "KVM_MSR_FILTER_WRITE");
        java.put("MsrFilter.MAX_RANGES", (long) MsrFilter.MAX_RANGES);
        c.put("MsrFilter.MAX_RANGES", "KVM_MSR_FILTER_MAX_RANGES");
        java.put("MsrFilter.MAX_BITMAP_BYTES", (long) MsrFilter.MAX_BITMAP_BYTES);
        c.put("MsrFilter.MAX_BITMAP_BYTES", "KVM_MSR_FILTER_MAX_BITMAP_SIZE");
        java.put("VcpuKicker.SIGNAL", (long) io.msrconf.kvm.local.VcpuKicker.SIGNAL);
        c.put("VcpuKicker.SIGNAL", "SIGRTMAX - 3");

        Map<String, Long> fromC = compileAndRun(dir, c);

        List<String> mismatches = new ArrayList<>();
        java.forEach((name, value) -> {
            Long expected = fromC.get(name);
            if (!value.equals(expected)) {
                mismatches.add(String.format("%s: Java 0x%x, C (%s) %s", name, value, c.get(name),
                        expected == null ? "missing" : "0x" + Long.toHexString(expected)));
            }
        });
        assertThat(mismatches).as("values that differ from the system headers").isEmpty();
    }

    private static Map<String, Long> compileAndRun(Path dir, Map<String, String> expressions)
            throws IOException, InterruptedException {
        StringBuilder src = new StringBuilder("""
                #include <errno.h>
                #include <fcntl.h>
                #include <signal.h>
                #include <stddef.h>
                #include <stdio.h>
                #include <sys/mman.h>
                #include <linux/kvm.h>
                #define P(name, expr) printf("%s=%lld\\n", name, (long long)(expr))
                int main(void) {
                """);
        expressions.forEach((name, expr) -> src.append("    P(\"").append(name).append("\", ").append(expr).append(");\n"));
        src.append("    return 0;\n}\n");
        Path source = dir.resolve("uapi.c");
        Path binary = dir.resolve("uapi");
        Files.writeString(source, src);

        String compiled = run(dir, "gcc", "-std=gnu11", "-Wall", "-Werror", "-o", binary.toString(), source.toString());
        assertThat(Files.isExecutable(binary)).as("gcc failed:\n%s\nsource:\n%s", compiled, src).isTrue();

        Map<String, Long> values = new LinkedHashMap<>();
        for (String line : run(dir, binary.toString()).split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                values.put(line.substring(0, eq), Long.parseLong(line.substring(eq + 1)));
            }
        }
        return values;
    }

    private static String run(Path dir, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s finished", command[0]).isTrue();
        return out;
    }

    private static boolean gccAvailable() {
        try {
            Process p = new ProcessBuilder("gcc", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static List<Field> numericConstants(Class<?> cls) {
        return Stream.of(cls.getDeclaredFields())
                .filter(f -> Modifier.isPublic(f.getModifiers()) && Modifier.isStatic(f.getModifiers())
                        && Modifier.isFinal(f.getModifiers()) && (f.getType() == int.class || f.getType() == long.class))
                .collect(Collectors.toList());
    }

    private static long layoutValue(String name) {
        int dot = name.indexOf('.');
        try {
            Class<?> struct = Class.forName(KvmLayouts.class.getName() + "$" + name.substring(0, dot));
            return ((Number) struct.getField(name.substring(dot + 1)).get(null)).longValue();
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("no layout constant " + name, e);
        }
    }

    private static Map<String, String> layoutExpressions() {
        Map<String, String> m = new LinkedHashMap<>();
        struct(m, "Run", "struct kvm_run", null,
                "IMMEDIATE_EXIT", "immediate_exit",
                "EXIT_REASON", "exit_reason",
                "HW_HARDWARE_EXIT_REASON", "hw.hardware_exit_reason",
                "FAIL_ENTRY_HARDWARE_ENTRY_FAILURE_REASON", "fail_entry.hardware_entry_failure_reason",
                "FAIL_ENTRY_CPU", "fail_entry.cpu",
                "IO_DIRECTION", "io.direction",
                "MMIO_PHYS_ADDR", "mmio.phys_addr",
                "MMIO_LEN", "mmio.len",
                "MMIO_IS_WRITE", "mmio.is_write",
                "IO_SIZE", "io.size",
                "IO_PORT", "io.port",
                "IO_COUNT", "io.count",
                "IO_DATA_OFFSET", "io.data_offset",
                "MSR_ERROR", "msr.error",
                "MSR_REASON", "msr.reason",
                "MSR_INDEX", "msr.index",
                "MSR_DATA", "msr.data",
                "INTERNAL_SUBERROR", "internal.suberror",
                "INTERNAL_NDATA", "internal.ndata",
                "INTERNAL_DATA", "internal.data");
        m.put("Run.INTERNAL_DATA_LENGTH", length("struct kvm_run", "internal.data"));
        struct(m, "Regs", "struct kvm_regs", "SIZE");
        m.put("Regs.COUNT", "sizeof(struct kvm_regs) / sizeof(__u64)");
        struct(m, "Segment", "struct kvm_segment", "SIZE",
                "BASE", "base", "LIMIT", "limit", "SELECTOR", "selector", "TYPE", "type", "PRESENT", "present",
                "DPL", "dpl", "DB", "db", "S", "s", "L", "l", "G", "g", "AVL", "avl", "UNUSABLE", "unusable");
        struct(m, "Dtable", "struct kvm_dtable", "SIZE", "BASE", "base", "LIMIT", "limit");
        struct(m, "Sregs", "struct kvm_sregs", "SIZE",
                "CS", "cs", "DS", "ds", "ES", "es", "FS", "fs", "GS", "gs", "SS", "ss", "TR", "tr", "LDT", "ldt",
                "GDT", "gdt", "IDT", "idt", "CR0", "cr0", "CR2", "cr2", "CR3", "cr3", "CR4", "cr4", "CR8", "cr8",
                "EFER", "efer", "APIC_BASE", "apic_base", "INTERRUPT_BITMAP", "interrupt_bitmap");
        m.put("Sregs.INTERRUPT_BITMAP_LENGTH", length("struct kvm_sregs", "interrupt_bitmap"));
        struct(m, "Msrs", "struct kvm_msrs", "SIZE", "NMSRS", "nmsrs", "ENTRIES", "entries");
        struct(m, "MsrEntry", "struct kvm_msr_entry", "SIZE", "INDEX", "index", "DATA", "data");
        struct(m, "MsrList", "struct kvm_msr_list", "SIZE", "NMSRS", "nmsrs", "INDICES", "indices");
        struct(m, "Cpuid2", "struct kvm_cpuid2", "SIZE", "NENT", "nent", "ENTRIES", "entries");
        struct(m, "CpuidEntry2", "struct kvm_cpuid_entry2", "SIZE",
                "FUNCTION", "function", "INDEX", "index", "FLAGS", "flags",
                "EAX", "eax", "EBX", "ebx", "ECX", "ecx", "EDX", "edx");
        struct(m, "UserspaceMemoryRegion", "struct kvm_userspace_memory_region", "SIZE",
                "SLOT", "slot", "FLAGS", "flags", "GUEST_PHYS_ADDR", "guest_phys_addr",
                "MEMORY_SIZE", "memory_size", "USERSPACE_ADDR", "userspace_addr");
        struct(m, "EnableCap", "struct kvm_enable_cap", "SIZE", "CAP", "cap", "FLAGS", "flags", "ARGS", "args");
        m.put("EnableCap.ARGS_LENGTH", length("struct kvm_enable_cap", "args"));
        struct(m, "XenHvmConfig", "struct kvm_xen_hvm_config", "SIZE", "FLAGS", "flags", "MSR", "msr",
                "BLOB_ADDR_32", "blob_addr_32", "BLOB_ADDR_64", "blob_addr_64", "BLOB_SIZE_32", "blob_size_32",
                "BLOB_SIZE_64", "blob_size_64");
        struct(m, "MsrFilter", "struct kvm_msr_filter", "SIZE", "FLAGS", "flags", "RANGES", "ranges");
        struct(m, "MsrFilterRange", "struct kvm_msr_filter_range", "SIZE",
                "FLAGS", "flags", "NMSRS", "nmsrs", "BASE", "base", "BITMAP", "bitmap");
        struct(m, "Sigaction", "struct sigaction", "SIZE",
                "HANDLER", "sa_handler", "MASK", "sa_mask", "FLAGS", "sa_flags", "RESTORER", "sa_restorer");
        return m;
    }

    /** Adds "Java.SIZE" (when sizeName is given) and "Java.FIELD" -> offsetof pairs. */
    private static void struct(Map<String, String> m, String java, String c, String sizeName, String... fieldPairs) {
        if (sizeName != null) {
            m.put(java + "." + sizeName, "sizeof(" + c + ")");
        }
        for (int i = 0; i < fieldPairs.length; i += 2) {
            m.put(java + "." + fieldPairs[i], "offsetof(" + c + ", " + fieldPairs[i + 1] + ")");
        }
    }

    private static String length(String c, String array) {
        String member = "((" + c + " *)0)->" + array;
        return "sizeof(" + member + ") / sizeof(" + member + "[0])";
    }
}
