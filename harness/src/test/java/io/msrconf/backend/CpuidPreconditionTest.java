package io.msrconf.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.msrconf.spec.Citation;
import io.msrconf.kvm.CpuidEntries;
import io.msrconf.kvm.CpuidEntries.CpuidEntry;
import io.msrconf.spec.Case;
import io.msrconf.spec.CpuidFeature;
import io.msrconf.spec.KernelRange;
import io.msrconf.spec.VcpuSetup;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A case that needs the vCPU to lack a CPUID feature is skipped, with the reason, where KVM supports that feature. */
class CpuidPreconditionTest {

    private static Case needing(CpuidFeature... lacks) {
        return new Case("c.case", "t", "userspace-exits", Citation.note("cites"), KernelRange.DEFAULT,
                new VcpuSetup(false, Set.of(), Set.of(lacks)), List.of(), null);
    }

    @Test
    void aPresentFeatureSkipsTheCaseNamingTheBit() {
        // Leaf 0x80000001 with ECX bit 23 (PERFCTR_CORE) set; leaf 1 with DS (EDX 21) and PDCM (ECX 15) clear.
        CpuidEntries amdWithCoreCounters = CpuidEntries.of(List.of(
                new CpuidEntry(0x1, 0, 0, 0, 0, ~(1 << 15), ~(1 << 21)),
                new CpuidEntry(0x80000001, 0, 0, 0, 0, 1 << 23, 0)));

        assertThat(KvmCapabilities.presentCpuidFeature(needing(CpuidFeature.DS, CpuidFeature.PDCM), amdWithCoreCounters)).isEmpty();
        assertThat(KvmCapabilities.presentCpuidFeature(needing(CpuidFeature.PERFCTR_CORE), amdWithCoreCounters)).contains(
                "needs a vCPU without PERFCTR_CORE (CPUID.80000001H:ECX[23]), but KVM_GET_SUPPORTED_CPUID reports it on this host"
                        + " (the vCPU gets exactly that CPUID)");
    }

    @Test
    void aMissingLeafMeansTheFeatureIsAbsent() {
        CpuidEntries onlyLeaf1 = CpuidEntries.of(List.of(new CpuidEntry(0x1, 0, 0, 0, 0, 1 << 15, 0)));
        assertThat(KvmCapabilities.presentCpuidFeature(needing(CpuidFeature.PERFCTR_CORE), onlyLeaf1)).isEmpty();
        assertThat(KvmCapabilities.presentCpuidFeature(needing(CpuidFeature.PDCM), onlyLeaf1)).get().asString().contains("PDCM");
    }
}
