package io.msrconf.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A KVM that does not meet a case's requires: skips it with one sentence saying what it has instead. */
class RequirementsTest {

    private static final Requirements AMD_GUEST_ON_SVM = new Requirements(List.of("kvm_amd"), Map.of("kvm_amd.avic", "N"),
            List.of("AuthenticAMD", "HygonGenuine"));

    @Test
    void aKvmThatHasEverythingMeetsThem() {
        assertThat(AMD_GUEST_ON_SVM.unmetBy(List.of("kvm_amd"), p -> Optional.of("N\n"), "AuthenticAMD")).isEmpty();
        assertThat(AMD_GUEST_ON_SVM.unmetBy(List.of("kvm_amd"), p -> Optional.of("0"), "HygonGenuine")).isEmpty();
    }

    @Test
    void eachUnmetRequirementSaysWhatTheKvmHas() {
        assertThat(AMD_GUEST_ON_SVM.unmetBy(List.of("kvm_amd"), p -> Optional.of("N"), "GenuineIntel"))
                .contains("the case needs a guest CPUID vendor AuthenticAMD or HygonGenuine; this KVM's is GenuineIntel");
        assertThat(AMD_GUEST_ON_SVM.unmetBy(List.of("kvm_pvm"), p -> Optional.of("N"), "AuthenticAMD"))
                .contains("the case needs KVM module kvm_amd; this KVM runs kvm_pvm");
        assertThat(AMD_GUEST_ON_SVM.unmetBy(List.of("kvm_amd"), p -> Optional.of("Y"), "AuthenticAMD"))
                .contains("the case needs kvm_amd.avic=N; this KVM has kvm_amd.avic=Y");
        assertThat(AMD_GUEST_ON_SVM.unmetBy(List.of("kvm_amd"), p -> Optional.empty(), "AuthenticAMD"))
                .contains("the case needs kvm_amd.avic=N; this KVM has no such parameter");
    }

    @Test
    void theParserReadsCpuVendorsAndRefusesWhatIsNotAVendorString() {
        String head = "area: filter-ranges\ncases:\n  - id: c.one\n    title: t\n    cites: c\n";
        String steps = "    steps: [ { host-get-msrs: [ { index: 0x10 } ], expect: 1 } ]\n";
        SpecSet ok = SpecLoader.parse(head + "    requires: { cpu-vendor: [AuthenticAMD, HygonGenuine] }\n" + steps,
                java.nio.file.Path.of("specs/filter-ranges.yaml"));
        assertThat(ok.errors()).isEmpty();
        assertThat(ok.cases().get(0).requires().cpuVendors()).containsExactly("AuthenticAMD", "HygonGenuine");
        SpecSet bad = SpecLoader.parse(head + "    requires: { cpu-vendor: amd }\n" + steps, java.nio.file.Path.of("specs/filter-ranges.yaml"));
        assertThat(bad.errors()).extracting(SpecError::toString).containsExactly("specs/filter-ranges.yaml:6: cases[0].requires.cpu-vendor:"
                + " expected a 12-character CPUID vendor string like AuthenticAMD, GenuineIntel or HygonGenuine");
    }
}
