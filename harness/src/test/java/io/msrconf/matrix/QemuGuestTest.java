package io.msrconf.matrix;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class QemuGuestTest {

    @Test
    void shellQuotingSurvivesQuotesAndSpaces() throws Exception {
        String nasty = "it's a \"dir\" with $HOME and `x`";
        Process p = new ProcessBuilder("sh", "-c", "printf %s " + QemuGuest.shellQuote(nasty)).start();
        assertThat(new String(p.getInputStream().readAllBytes())).isEqualTo(nasty);
        assertThat(p.waitFor()).isZero();
    }

    @Test
    void moduleParametersAlsoGoOnTheCommandLineForBuiltInModules() {
        QemuGuest.Kernel k = new QemuGuest.Kernel(Path.of("/boot/vmlinuz"), Optional.empty(),
                Map.of("kvm", "force_emulation_prefix=1"));
        assertThat(QemuGuest.commandLine(k)).isEqualTo("console=ttyS0 quiet panic=-1 mitigations=off kvm.force_emulation_prefix=1");
    }

    @Test
    void onlyAStaticallyLinkedBusyboxWillDo() {
        // /bin/sh on Debian is dash, dynamically linked: it needs a loader the initramfs does not have.
        assertThat(QemuGuest.isStaticElf(Path.of("/bin/sh"))).isFalse();
        assertThat(QemuGuest.isStaticElf(Path.of("/etc/hostname"))).isFalse();
        QemuGuest.staticBusybox().ifPresent(b -> assertThat(QemuGuest.isStaticElf(b)).isTrue());
    }
}
