package io.msrconf.spec;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * {@code requires:} what a case needs of the KVM it runs on beyond the kernel version: the vendor module
 * (behaviour of kvm_amd, kvm_intel or kvm_pvm rather than of common x86 code), module parameters
 * (as /sys/module/MODULE/parameters/PARAM reads) and the guest's CPUID vendor (what vendor code such as
 * guest_cpuid_is_intel_compatible() decides by: msrconf gives each vCPU KVM_GET_SUPPORTED_CPUID, whose
 * leaf 0 is the vendor of the CPU KVM runs on). {@code setParams} are module parameters the case sets for
 * itself: msrconf writes them before the case and restores them after, only in a kernel it booted (a KVM
 * backend elsewhere skips the case), and the model runs with them. A KVM that does not meet them skips the case, saying
 * which requirement and what it has instead; the emulator, as the model of a KVM, is judged by that KVM's.
 *
 * @param modules    any of these vendor modules (empty: any)
 * @param parameters "module.param" to the value it must read; Y/N, 1/0 and true/false are the same boolean
 */
public record Requirements(List<String> modules, Map<String, String> parameters, List<String> cpuVendors,
                           Map<String, String> setParams) {

    public static final Requirements NONE = new Requirements(List.of(), Map.of(), List.of(), Map.of());

    public Requirements {
        modules = List.copyOf(modules);
        parameters = Map.copyOf(new java.util.TreeMap<>(parameters));
        cpuVendors = List.copyOf(cpuVendors);
        setParams = Map.copyOf(setParams);
    }

    public Requirements(List<String> modules, Map<String, String> parameters) {
        this(modules, parameters, List.of(), Map.of());
    }

    public Requirements(List<String> modules, Map<String, String> parameters, List<String> cpuVendors) {
        this(modules, parameters, cpuVendors, Map.of());
    }

    /** Whether these requirements ask anything of the target (module, parameter values, CPU vendor); set-param does not. */
    public boolean askTheTarget() {
        return !modules.isEmpty() || !parameters.isEmpty() || !cpuVendors.isEmpty();
    }

    /** Y/N, 1/0 and true/false as a boolean module parameter reads; empty for anything else. */
    public static Optional<Boolean> parameterBoolean(String value) {
        return bool(value.strip());
    }

    /**
     * Why a KVM whose kvm_* modules are {@code loaded}, whose module parameters read as {@code parameter}
     * says and whose guests get the CPUID vendor {@code cpuVendor} does not meet these requirements; empty
     * when it does.
     */
    public Optional<String> unmetBy(List<String> loaded, Function<String, Optional<String>> parameter, String cpuVendor) {
        if (!cpuVendors.isEmpty() && !cpuVendors.contains(cpuVendor)) {
            return Optional.of("the case needs a guest CPUID vendor " + String.join(" or ", cpuVendors) + "; this KVM's is "
                    + cpuVendor);
        }
        if (!modules.isEmpty() && modules.stream().noneMatch(loaded::contains)) {
            return Optional.of("the case needs KVM module " + String.join(" or ", modules) + "; this KVM runs "
                    + (loaded.isEmpty() ? "none" : String.join(", ", loaded)));
        }
        for (Map.Entry<String, String> p : new java.util.TreeMap<>(parameters).entrySet()) {
            Optional<String> value = parameter.apply(p.getKey()).map(String::strip);
            if (value.isEmpty()) {
                return Optional.of("the case needs " + p.getKey() + "=" + p.getValue() + "; this KVM has no such parameter");
            }
            if (!same(value.get(), p.getValue())) {
                return Optional.of("the case needs " + p.getKey() + "=" + p.getValue() + "; this KVM has " + p.getKey() + "=" + value.get());
            }
        }
        return Optional.empty();
    }

    private static boolean same(String actual, String wanted) {
        Optional<Boolean> a = bool(actual);
        Optional<Boolean> w = bool(wanted);
        return a.isPresent() && w.isPresent() ? a.get().equals(w.get()) : actual.equals(wanted);
    }

    private static Optional<Boolean> bool(String v) {
        return switch (v) {
            case "Y", "y", "1", "true" -> Optional.of(true);
            case "N", "n", "0", "false" -> Optional.of(false);
            default -> Optional.empty();
        };
    }
}
