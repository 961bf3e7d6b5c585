package io.msrconf.suite;

import static org.assertj.core.api.Assertions.assertThat;

import io.msrconf.pipeline.TargetInfo;
import io.msrconf.spec.KernelVersion;
import java.util.List;
import org.junit.jupiter.api.Test;

class HostInfoTest {

    @Test
    void debianKernelsAreVersionedByTheUpstreamReleaseInTheirBuildString() {
        // /proc/version of Debian's linux-image-5.10.0-32-amd64 5.10.223-1, as booted by the kernel matrix.
        TargetInfo debian = new TargetInfo("5.10.0-32-amd64", List.of("kvm_amd"), "QEMU TCG CPU version 2.5+",
                "Linux version 5.10.0-32-amd64 (debian-kernel@lists.debian.org) (gcc-10 (Debian 10.2.1-6) 10.2.1 20210110,"
                        + " GNU ld (GNU Binutils for Debian) 2.35.2) #1 SMP Debian 5.10.223-1 (2024-08-10)");
        assertThat(debian.kernelVersion()).isEqualTo(new KernelVersion(5, 10, 223));
        assertThat(debian.describe()).startsWith("kernel 5.10.0-32-amd64 (upstream 5.10.223), KVM module kvm_amd");
    }

    @Test
    void otherKernelsAreVersionedByTheirRelease() {
        TargetInfo plain = new TargetInfo("6.18.44-fc-v657", List.of("kvm_pvm"), "cpu", "Linux version 6.18.44-fc-v657 (root@build) (gcc (Debian 12.2.0-14) 12.2.0) #1 SMP");
        assertThat(plain.kernelVersion()).isEqualTo(new KernelVersion(6, 18, 44));
        assertThat(plain.describe()).isEqualTo("kernel 6.18.44-fc-v657, KVM module kvm_pvm, CPU cpu");
    }
}
