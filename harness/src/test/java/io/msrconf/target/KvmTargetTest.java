package io.msrconf.target;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KvmTargetTest {

    @Test
    void theThreeFormsParse(@TempDir Path dir) throws Exception {
        Path image = Files.createFile(dir.resolve("bzImage"));
        Path modules = Files.createDirectories(dir.resolve("lib/modules/6.19.0-rc1"));

        assertThat(KvmTarget.parse("host").kind()).isEqualTo(KvmTarget.Kind.HOST);
        assertThat(KvmTarget.parse("debian:6.12").series()).isEqualTo("6.12");
        KvmTarget built = KvmTarget.parse(image + ",modules=" + modules);
        assertThat(built.image()).isEqualTo(image);
        assertThat(built.modules()).contains(modules);
        assertThat(built.label()).isEqualTo("bzImage");
        assertThat(built.bootable(dir).moduleParameters()).isEqualTo(Map.of("kvm", "force_emulation_prefix=1"));
    }

    @Test
    void badNamesSayWhatIsWrong(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> KvmTarget.parse("debian:4.19")).hasMessage("kernel 'debian:4.19': Debian series must be one of [5.10, 6.1, 6.12]");
        assertThatThrownBy(() -> KvmTarget.parse(dir.resolve("nope").toString())).hasMessageContaining("does not exist or is not a file");
        Path image = Files.createFile(dir.resolve("vmlinuz"));
        assertThatThrownBy(() -> KvmTarget.parse(image + ",modules=" + dir.resolve("missing"))).hasMessageContaining("module directory");
        assertThatThrownBy(() -> KvmTarget.parse(image + ",mods=x")).hasMessageContaining("unknown option 'mods=x' (expected modules=DIR)");
    }

    @Test
    void anExtractedDebianPackageYieldsItsImageAndModuleTree(@TempDir Path pkg) throws Exception {
        // Debian 13 keeps modules under usr/lib/modules.
        Files.createDirectories(pkg.resolve("boot"));
        Files.createFile(pkg.resolve("boot/vmlinuz-6.12.117+deb13-amd64"));
        Files.createFile(pkg.resolve("boot/config-6.12.117+deb13-amd64"));
        Files.createDirectories(pkg.resolve("usr/lib/modules/6.12.117+deb13-amd64/kernel"));

        GuestKernel k = KvmTarget.debian(pkg);

        assertThat(k.image()).isEqualTo(pkg.resolve("boot/vmlinuz-6.12.117+deb13-amd64"));
        assertThat(k.modules()).contains(pkg.resolve("usr/lib/modules/6.12.117+deb13-amd64"));
    }
}
