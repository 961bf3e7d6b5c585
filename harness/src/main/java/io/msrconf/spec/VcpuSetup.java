package io.msrconf.spec;

import io.msrconf.abi.ExitReason;
import java.util.EnumSet;
import java.util.Set;

/**
 * The vCPU state a case starts from: whether IA32_APIC_BASE has x2APIC mode enabled (EN|EXTD,
 * set through KVM_SET_MSRS before the first run), and which KVM_MSR_EXIT_REASON_* bits are enabled
 * with KVM_CAP_X86_USER_SPACE_MSR (empty: the capability is not enabled at all), and which CPUID
 * features the case needs the vCPU to lack (see {@link CpuidFeature}).
 */
public record VcpuSetup(boolean x2apic, Set<ExitReason> userspaceExits, Set<CpuidFeature> cpuidLacks) {

    public static final VcpuSetup DEFAULT = new VcpuSetup(false, Set.of());

    public VcpuSetup {
        userspaceExits = userspaceExits.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(userspaceExits));
        cpuidLacks = cpuidLacks.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(cpuidLacks));
    }

    public VcpuSetup(boolean x2apic, Set<ExitReason> userspaceExits) {
        this(x2apic, userspaceExits, Set.of());
    }

    /** The args[0] mask of KVM_ENABLE_CAP(KVM_CAP_X86_USER_SPACE_MSR). */
    public int exitReasonMask() {
        return userspaceExits.stream().mapToInt(r -> r.bit).reduce(0, (a, b) -> a | b);
    }

    public String describe() {
        return "x2APIC " + (x2apic ? "enabled" : "disabled") + ", userspace MSR exits "
                + (userspaceExits.isEmpty() ? "off" : EnumSet.copyOf(userspaceExits).toString())
                + (cpuidLacks.isEmpty() ? "" : ", CPUID without " + EnumSet.copyOf(cpuidLacks));
    }
}
