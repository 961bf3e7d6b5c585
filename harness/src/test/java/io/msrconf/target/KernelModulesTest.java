package io.msrconf.target;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KernelModulesTest {

    /** A stand-in module: some ELF-ish bytes around a .modinfo section with the given depends= entry. */
    private static void module(Path tree, String relative, String depends) throws IOException {
        Path p = tree.resolve("kernel").resolve(relative);
        Files.createDirectories(p.getParent());
        Files.write(p, ("\u007fELF....\0license=GPL\0depends=" + depends + "\0name=x\0vermagic=6.1\0")
                .getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void dependenciesLoadFirstAndBuiltinsAreLeftOut(@TempDir Path tree) throws IOException {
        module(tree, "arch/x86/kvm/kvm.ko", "irqbypass");
        module(tree, "arch/x86/kvm/kvm-amd.ko", "kvm,ccp");
        module(tree, "virt/lib/irqbypass.ko", "");
        module(tree, "drivers/crypto/ccp/ccp.ko", "rng-core");   // modinfo spells it as the file is named
        module(tree, "drivers/char/hw_random/rng-core.ko", "");
        module(tree, "net/9p/9pnet_virtio.ko", "virtio,9pnet,virtio_ring");
        module(tree, "net/9p/9pnet.ko", "");
        module(tree, "fs/9p/9p.ko", "9pnet,netfs");
        module(tree, "fs/netfs/netfs.ko", "");
        Files.writeString(tree.resolve("modules.builtin"), "kernel/drivers/virtio/virtio.ko\nkernel/drivers/virtio/virtio_ring.ko\n"
                + "kernel/drivers/virtio/virtio_pci.ko\n");

        KernelModules m = KernelModules.in(tree);
        List<String> order = m.loadOrder(List.of("virtio_pci", "9pnet_virtio", "9p", "kvm", "kvm_amd")).stream()
                .map(KernelModules.Module::name).toList();

        assertThat(order).containsExactly("9pnet", "9pnet_virtio", "netfs", "9p", "irqbypass", "kvm", "rng_core", "ccp", "kvm_amd");
        assertThat(m.isBuiltin("virtio_pci")).isTrue();
        assertThat(m.has("kvm_intel")).isFalse();
    }

    @Test
    void xzCompressedModulesAreDecompressed(@TempDir Path tree) throws Exception {
        module(tree, "arch/x86/kvm/kvm.ko", "");
        Path ko = tree.resolve("kernel/arch/x86/kvm/kvm.ko");
        Process xz = new ProcessBuilder("xz", ko.toString()).inheritIO().start();   // leaves kvm.ko.xz, as Debian 13 ships it
        assertThat(xz.waitFor()).isZero();

        List<KernelModules.Module> order = KernelModules.in(tree).loadOrder(List.of("kvm"));

        assertThat(order).hasSize(1);
        assertThat(new String(order.get(0).elf(), StandardCharsets.US_ASCII)).startsWith("\u007fELF").contains("depends=\0");
    }

    @Test
    void aMissingModuleIsNamedWithWhatNeedsIt(@TempDir Path tree) throws IOException {
        module(tree, "arch/x86/kvm/kvm-amd.ko", "kvm,ccp");
        module(tree, "arch/x86/kvm/kvm.ko", "");
        assertThatThrownBy(() -> KernelModules.in(tree).loadOrder(List.of("kvm_amd")))
                .hasMessage("module ccp (needed by kvm_amd) is neither built into the kernel nor in " + tree);
    }

    @Test
    void aDirectoryThatIsNotAModuleTreeIsRefused(@TempDir Path dir) {
        assertThatThrownBy(() -> KernelModules.in(dir)).hasMessageContaining(dir + " is not a kernel module tree");
    }

    @Test
    void moduleNamesFollowTheKernelsDashToUnderscoreRule() {
        assertThat(KernelModules.moduleName("kvm-amd.ko.xz")).isEqualTo("kvm_amd");
        assertThat(KernelModules.moduleName("9pnet_virtio.ko")).isEqualTo("9pnet_virtio");
        assertThat(KernelModules.moduleName("modules.order")).isNull();
    }
}
