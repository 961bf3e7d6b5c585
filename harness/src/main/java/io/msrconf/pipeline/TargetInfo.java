package io.msrconf.pipeline;

import io.msrconf.emu.model.ModelProfile;
import io.msrconf.kvm.Kvm;
import io.msrconf.spec.KernelVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What machine and kernel a backend's results are of, as that machine reports itself (never assumed):
 * the kernel release and build string, the KVM modules loaded (kvm_intel, kvm_amd, or something else such
 * as kvm_pvm) and the CPU. Read on the machine where the KVM runs: this one, or a guest kernel.
 *
 * @param name      what the user called the target: "host", "debian:6.12", an image's file name
 * @param cpuVendor the CPU's vendor string (/proc/cpuinfo vendor_id): the CPUID vendor msrconf's guests get,
 *                  since each vCPU is given KVM_GET_SUPPORTED_CPUID, whose leaf 0 KVM takes from the host CPU
 *                  (cpuid.c __do_cpuid_func(), "case 0:" after do_host_cpuid())
 */
public record TargetInfo(String name, String kernelRelease, List<String> kvmModules, String cpuModel, String kernelBuild,
                         String cpuVendor) {

    /**
     * Debian names its kernels by ABI ("5.10.0-32-amd64") and states the upstream stable release in the
     * build string: "... #1 SMP Debian 5.10.223-1 (2024-08-10)". (The compiler's "(Debian 10.2.1-6)" is
     * not followed by a date, so it does not match.)
     */
    private static final Pattern DEBIAN_UPSTREAM = Pattern.compile(" Debian (\\d+\\.\\d+\\.\\d+)[-+~][^ ]* \\(\\d{4}-\\d\\d-\\d\\d\\)");

    public TargetInfo {
        kvmModules = List.copyOf(kvmModules);
    }

    public TargetInfo(String kernelRelease, List<String> kvmModules, String cpuModel) {
        this("host", kernelRelease, kvmModules, cpuModel, "", "unknown");
    }

    public TargetInfo(String kernelRelease, List<String> kvmModules, String cpuModel, String kernelBuild) {
        this("host", kernelRelease, kvmModules, cpuModel, kernelBuild, "unknown");
    }

    /** This machine. */
    public static TargetInfo read() {
        return read("host", TargetInfo::readLocal, TargetInfo::listLocal);
    }

    /** The machine {@code kvm} runs on. */
    public static TargetInfo of(String name, Kvm kvm) {
        return read(name, kvm::readFile, kvm::listDirectory);
    }

    static TargetInfo read(String name, Function<String, Optional<String>> readFile, Function<String, List<String>> listDirectory) {
        Optional<String> cpuinfo = readFile.apply("/proc/cpuinfo");
        List<String> modules = listDirectory.apply("/sys/module").stream().filter(n -> n.startsWith("kvm_")).sorted().toList();
        return new TargetInfo(name, readFile.apply("/proc/sys/kernel/osrelease").map(String::trim).orElse("unknown"),
                modules, cpuinfoField(cpuinfo, "model name"), readFile.apply("/proc/version").map(String::trim).orElse(""),
                cpuinfoField(cpuinfo, "vendor_id"));
    }

    private static String cpuinfoField(Optional<String> cpuinfo, String field) {
        return cpuinfo.flatMap(info -> info.lines().filter(l -> l.startsWith(field) && l.indexOf(':') > 0)
                .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst()).orElse("unknown");
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

    /** The module parameters of the machine {@code kvm} runs on, by "module.param" (what requires: param checks). */
    public static Function<String, Optional<String>> moduleParametersOf(Kvm kvm) {
        return name -> moduleParameter(kvm::readFile, name);
    }

    /** This machine's module parameters, by "module.param". */
    public static Function<String, Optional<String>> moduleParametersOfThisMachine() {
        return name -> moduleParameter(TargetInfo::readLocal, name);
    }

    private static Optional<String> moduleParameter(Function<String, Optional<String>> readFile, String name) {
        int dot = name.indexOf('.');
        if (dot <= 0 || name.indexOf('/') >= 0) {
            return Optional.empty();
        }
        return readFile.apply("/sys/module/" + name.substring(0, dot) + "/parameters/" + name.substring(dot + 1));
    }

    /** The profile of the model that stands for {@code kvm}: its kernel version, vendor module and AVIC setting. */
    public static ModelProfile modelProfileOf(Kvm kvm) {
        return of("", kvm).modelProfile(moduleParametersOf(kvm));
    }

    /**
     * The profile of the model that stands for this target, whose module parameters {@code moduleParameter}
     * reads (kvm_amd's avic decides, see {@link ModelProfile#of}).
     */
    public ModelProfile modelProfile(Function<String, Optional<String>> moduleParameter) {
        try {
            return ModelProfile.of(kernelVersion(), kvmModules, moduleParameter.apply("kvm_amd.avic"), cpuVendor);
        } catch (IllegalArgumentException unknownRelease) {
            return ModelProfile.LATEST;   // no release to go by: the newest behaviour, which the ranges are then checked against too
        }
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

    private static Optional<String> readLocal(String path) {
        try {
            return Optional.of(Files.readString(Path.of(path)));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static List<String> listLocal(String path) {
        try (Stream<Path> names = Files.list(Path.of(path))) {
            return names.map(p -> p.getFileName().toString()).toList();
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }
}
