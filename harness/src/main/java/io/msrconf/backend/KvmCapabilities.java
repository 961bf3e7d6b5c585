package io.msrconf.backend;

import io.msrconf.abi.KvmCap;
import io.msrconf.kvm.CpuidEntries;
import io.msrconf.kvm.Kvm;
import io.msrconf.spec.Case;
import io.msrconf.spec.CpuidFeature;
import java.util.Optional;
import java.util.function.IntUnaryOperator;

/**
 * What a KVM can run, asked once per backend: the KVM_CHECK_EXTENSION answers the cases depend on, the
 * CPUID the vCPU gets (KVM_GET_SUPPORTED_CPUID) and whether the kvm module honours its forced-emulation
 * prefix, read on the machine where that KVM runs. A case that needs what is missing is skipped with the
 * reason.
 */
public final class KvmCapabilities {

    /** The kvm module parameter that makes KVM honour its forced-emulation prefix (x86.c handle_ud()). */
    public static final String FORCE_EMULATION_PREFIX = "/sys/module/kvm/parameters/force_emulation_prefix";

    /** The KVM_CHECK_EXTENSION answers the cases depend on. */
    public record Extensions(boolean irqchip, boolean msrFilter, boolean userSpaceMsr, boolean xenHvm) {
        static Extensions of(IntUnaryOperator checkExtension) {
            return new Extensions(checkExtension.applyAsInt(KvmCap.KVM_CAP_IRQCHIP) != 0,
                    checkExtension.applyAsInt(KvmCap.KVM_CAP_X86_MSR_FILTER) != 0,
                    checkExtension.applyAsInt(KvmCap.KVM_CAP_X86_USER_SPACE_MSR) != 0,
                    checkExtension.applyAsInt(KvmCap.KVM_CAP_XEN_HVM) != 0);
        }
    }

    private final Extensions extensions;
    private final CpuidEntries cpuid;
    /** Why KVM does not honour its forced-emulation prefix; empty when it does. */
    private final Optional<String> noForcedEmulation;

    private KvmCapabilities(Extensions extensions, CpuidEntries cpuid, Optional<String> noForcedEmulation) {
        this.extensions = extensions;
        this.cpuid = cpuid;
        this.noForcedEmulation = noForcedEmulation;
    }

    public static KvmCapabilities probe(Kvm kvm) {
        return new KvmCapabilities(Extensions.of(kvm::checkExtension), kvm.supportedCpuid(),
                forcedEmulationUnavailable(kvm.readFile(FORCE_EMULATION_PREFIX), FORCE_EMULATION_PREFIX));
    }

    /** The CPUID every vCPU gets: exactly what KVM supports. */
    public CpuidEntries cpuid() {
        return cpuid;
    }

    /** Why this KVM cannot run the case; empty when it can. */
    public Optional<String> cannotRun(Case c) {
        Optional<String> missing = missingExtension(c, extensions);
        if (missing.isEmpty()) {
            missing = presentCpuidFeature(c, cpuid);
        }
        if (missing.isPresent() || !c.usesForcedEmulation()) {
            return missing;
        }
        return noForcedEmulation;
    }

    /** Why this KVM cannot run the case, from what the case uses; empty when it can. */
    static Optional<String> missingExtension(Case c, Extensions caps) {
        if (!caps.irqchip()) {
            return Optional.of("KVM lacks KVM_CAP_IRQCHIP (the in-kernel local APIC every case runs with)");
        }
        if (c.usesFilter() && !caps.msrFilter()) {
            return Optional.of("KVM lacks KVM_CAP_X86_MSR_FILTER");
        }
        if (!c.vcpu().userspaceExits().isEmpty() && !caps.userSpaceMsr()) {
            return Optional.of("KVM lacks KVM_CAP_X86_USER_SPACE_MSR");
        }
        if (c.usesXenHvmConfig() && !caps.xenHvm()) {
            return Optional.of("KVM lacks KVM_CAP_XEN_HVM (KVM_XEN_HVM_CONFIG: since 5.12 only in kernels built with CONFIG_KVM_XEN)");
        }
        return Optional.empty();
    }

    /**
     * Why the case cannot run with the CPUID KVM supports: a feature the case needs the vCPU to lack
     * is there (with it, KVM supports the MSRs the case expects it not to).
     */
    static Optional<String> presentCpuidFeature(Case c, CpuidEntries supported) {
        for (CpuidFeature f : c.vcpu().cpuidLacks()) {
            boolean present = supported.entry(f.function, 0).map(e -> {
                int reg = switch (f.register) {
                    case EAX -> e.eax();
                    case EBX -> e.ebx();
                    case ECX -> e.ecx();
                    case EDX -> e.edx();
                };
                return (reg >>> f.bit & 1) != 0;
            }).orElse(false);
            if (present) {
                return Optional.of("needs a vCPU without " + f.describe() + ", but KVM_GET_SUPPORTED_CPUID reports it on this"
                        + " host (the vCPU gets exactly that CPUID)");
            }
        }
        return Optional.empty();
    }

    /**
     * Why KVM does not honour its forced-emulation prefix, from the kvm module parameter
     * force_emulation_prefix ({@code value}, as read from {@code parameter}): missing, 0 (an int since
     * 6.1, a bool "N" before). Empty when it is set (1, or "Y"; newer kernels also take 3, which adds
     * clearing RF).
     */
    static Optional<String> forcedEmulationUnavailable(Optional<String> value, String parameter) {
        if (value.isEmpty()) {
            return Optional.of(forcedEmulationReason(parameter, "is missing or unreadable"));
        }
        String v = value.get().trim();
        boolean on = v.equals("Y") || v.equals("y") || v.matches("[0-9]+") && !v.matches("0+");
        return on ? Optional.empty() : Optional.of(forcedEmulationReason(parameter, "is " + v));
    }

    private static String forcedEmulationReason(String parameter, String state) {
        return "needs KVM's forced-emulation prefix: " + parameter + " " + state + " on this kernel"
                + " (msrconf loads kvm with force_emulation_prefix=1 in the kernels it boots)";
    }
}
