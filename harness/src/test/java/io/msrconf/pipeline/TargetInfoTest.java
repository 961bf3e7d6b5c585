package io.msrconf.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What a target says about itself is read from its own files, never assumed. */
class TargetInfoTest {

    @Test
    void theCpuVendorAndModelComeFromProcCpuinfo() {
        Map<String, String> files = Map.of(
                "/proc/cpuinfo", "processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 15\nmodel name\t: QEMU TCG CPU version 2.5+\n",
                "/proc/sys/kernel/osrelease", "6.12.117+deb13-amd64\n");
        TargetInfo t = TargetInfo.read("debian:6.12", p -> Optional.ofNullable(files.get(p)),
                d -> d.equals("/sys/module") ? List.of("kvm", "kvm_amd", "irqbypass") : List.of());
        assertThat(t.cpuVendor()).isEqualTo("AuthenticAMD");
        assertThat(t.cpuModel()).isEqualTo("QEMU TCG CPU version 2.5+");
        assertThat(t.kvmModules()).containsExactly("kvm_amd");
        assertThat(t.modelProfile(p -> Optional.empty()).sysenterKeepsLow32Bits()).isTrue();
    }

    @Test
    void aTargetWithoutCpuinfoHasAnUnknownVendor() {
        TargetInfo t = TargetInfo.read("x", p -> Optional.empty(), d -> List.of());
        assertThat(t.cpuVendor()).isEqualTo("unknown");
    }
}
