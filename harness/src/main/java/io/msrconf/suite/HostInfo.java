package io.msrconf.suite;

import io.msrconf.spec.KernelVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What machine and kernel the cases ran on, read from the system (never assumed): the kernel
 * release, the KVM modules loaded (kvm_intel, kvm_amd, or something else such as kvm_pvm) and the CPU.
 */
public record HostInfo(String kernelRelease, List<String> kvmModules, String cpuModel, String kernelBuild) {

    /**
     * Debian names its kernels by ABI ("5.10.0-32-amd64") and states the upstream stable release in the
     * build string: "... #1 SMP Debian 5.10.223-1 (2024-08-10)". (The compiler's "(Debian 10.2.1-6)" is
     * not followed by a date, so it does not match.)
     */
    private static final Pattern DEBIAN_UPSTREAM = Pattern.compile(" Debian (\\d+\\.\\d+\\.\\d+)[-+~][^ ]* \\(\\d{4}-\\d\\d-\\d\\d\\)");

    public HostInfo(String kernelRelease, List<String> kvmModules, String cpuModel) {
        this(kernelRelease, kvmModules, cpuModel, "");
    }

    public static HostInfo read() {
        return new HostInfo(firstLine(Path.of("/proc/sys/kernel/osrelease"), "unknown"), loadedKvmModules(), readCpuModel(),
                firstLine(Path.of("/proc/version"), ""));
    }

    /**
     * The kernel version that kernel ranges are checked against: the upstream stable release the
     * distribution states in the build string when there is one (Debian's 5.10.0-32-amd64 is 5.10.223,
     * which carries stable backports that 5.10.0 lacks), else the release.
     */
    public KernelVersion kernelVersion() {
        Matcher m = DEBIAN_UPSTREAM.matcher(kernelBuild);
        return KernelVersion.parse(m.find() ? m.group(1) : kernelRelease);
    }

    /** The vendor module(s) KVM runs on: every loaded module named kvm_*, or "none". */
    public String kvmModule() {
        return kvmModules.isEmpty() ? "none" : String.join(",", kvmModules);
    }

    public String describe() {
        boolean restated = !kernelVersion().equals(KernelVersion.parse(kernelRelease));
        return "kernel " + kernelRelease + (restated ? " (upstream " + kernelVersion() + ")" : "")
                + ", KVM module " + kvmModule() + ", CPU " + cpuModel;
    }

    private static List<String> loadedKvmModules() {
        try (Stream<Path> modules = Files.list(Path.of("/sys/module"))) {
            return modules.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("kvm_")).sorted()
                    .collect(Collectors.toList());
        } catch (IOException e) {
            return List.of();
        }
    }

    private static String readCpuModel() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst().orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String firstLine(Path p, String fallback) {
        try {
            return Files.readString(p).trim();
        } catch (IOException e) {
            return fallback;
        }
    }
}
