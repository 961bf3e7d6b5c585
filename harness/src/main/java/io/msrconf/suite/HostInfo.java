package io.msrconf.suite;

import io.msrconf.spec.KernelVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What machine and kernel the cases ran on, read from the system (never assumed): the kernel
 * release, the KVM modules loaded (kvm_intel, kvm_amd, or something else such as kvm_pvm) and the CPU.
 */
public record HostInfo(String kernelRelease, List<String> kvmModules, String cpuModel) {

    public static HostInfo read() {
        return new HostInfo(firstLine(Path.of("/proc/sys/kernel/osrelease"), "unknown"), loadedKvmModules(), readCpuModel());
    }

    public KernelVersion kernelVersion() {
        return KernelVersion.parse(kernelRelease);
    }

    /** The vendor module(s) KVM runs on: every loaded module named kvm_*, or "none". */
    public String kvmModule() {
        return kvmModules.isEmpty() ? "none" : String.join(",", kvmModules);
    }

    public String describe() {
        return "kernel " + kernelRelease + ", KVM module " + kvmModule() + ", CPU " + cpuModel;
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
