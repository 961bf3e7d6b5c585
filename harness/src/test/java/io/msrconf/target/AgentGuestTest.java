package io.msrconf.target;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentGuestTest {

    @Test
    void moduleParametersAlsoGoOnTheCommandLineForBuiltInModules() {
        GuestKernel k = new GuestKernel(Path.of("/boot/vmlinuz"), Optional.empty(), Map.of("kvm", "force_emulation_prefix=1"));
        assertThat(AgentGuest.commandLine(k))
                .isEqualTo("console=ttyS0 quiet oops=panic panic=-1 mitigations=off cryptomgr.notests kvm.force_emulation_prefix=1");
    }

    @Test
    void aCommaInAPathCannotAddQemuOptions() {
        GuestKernel k = new GuestKernel(Path.of("/k,x/vmlinuz"), Optional.empty(), Map.of());
        java.util.List<String> argv = AgentGuest.qemuCommand(k, k.image(), Path.of("/w,readonly=on/initrd"),
                Path.of("/w,readonly=on/console.log"), Path.of("/w,server=off/agent.sock"));
        assertThat(argv).contains("file,id=console,path=/w,,readonly=on/console.log",
                "socket,id=agent,path=/w,,server=off/agent.sock,server=on,wait=off", "/k,x/vmlinuz", "/w,readonly=on/initrd");
    }

    @Test
    void aDirectoryWithACommaStillBootsTheGuest(@TempDir Path dir) throws Exception {
        // QEMU itself reads the doubled commas back: the guest comes up from a work directory named a,b
        TestTargets.guest();   // the prerequisites, as the other booting tests
        Path odd = Files.createDirectories(dir.resolve("a,server=off"));
        try (AgentGuest g = AgentGuest.boot("debian:6.12", KvmTarget.debian(KvmTarget.defaultCache().resolve("debian-6.12").toRealPath()),
                AgentGuest.BOOT_TIMEOUT, odd)) {
            assertThat(g.kvm().apiVersion()).isEqualTo(12);
        }
    }

    @Test
    void onlyAStaticallyLinkedBusyboxWillDo() {
        // /bin/sh on Debian is dash, dynamically linked: it needs a loader the initramfs does not have.
        assertThat(AgentGuest.isStaticElf(Path.of("/bin/sh"))).isFalse();
        assertThat(AgentGuest.isStaticElf(Path.of("/etc/hostname"))).isFalse();
        AgentGuest.staticBusybox().ifPresent(b -> assertThat(AgentGuest.isStaticElf(b)).isTrue());
    }

    @Test
    void theAgentIsAStaticProgramOnTheClasspath(@TempDir Path dir) throws Exception {
        // the initramfs has no C library: an agent linked dynamically would not start in the guest
        Path agent = Files.createTempFile(dir, "agent", "");
        try (InputStream in = AgentGuest.class.getResourceAsStream(AgentGuest.AGENT_RESOURCE)) {
            assertThat(in).as(AgentGuest.AGENT_RESOURCE).isNotNull();
            Files.write(agent, in.readAllBytes());
        }
        assertThat(AgentGuest.isStaticElf(agent)).isTrue();
    }

    @Test
    void theInitramfsHoldsTheAgentItsInitAndNothingOfTheHost() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(AgentGuest.staticBusybox().isPresent(), "no static busybox here");
        GuestKernel builtIn = new GuestKernel(Path.of("/boot/vmlinuz"), Optional.empty(), Map.of());
        List<String> names = InitramfsTest.names(AgentGuest.initramfs(builtIn).toCpio());
        assertThat(names).contains("bin/msrconf-agent", "bin/busybox", "bin/sh", "init", "modules/order")
                .allMatch(n -> n.startsWith("bin") || n.startsWith("modules") || List.of("init", "proc", "sys", "dev", "TRAILER!!!").contains(n));
        // A program the agent is to run (the kernel's selftest) is the one other thing it may carry, under programs/.
        List<String> withProgram = InitramfsTest.names(AgentGuest.initramfs(builtIn.withPrograms(
                Map.of("selftest", AgentGuest.staticBusybox().get()))).toCpio());
        assertThat(withProgram).contains("programs", "programs/selftest");
        assertThat(withProgram.stream().filter(n -> !names.contains(n))).containsExactlyInAnyOrder("programs", "programs/selftest");
        try (InputStream init = AgentGuest.class.getResourceAsStream(AgentGuest.INIT_RESOURCE)) {
            // /init looks the port up by the name QEMU gives it, and mounts nothing of the host's
            String script = new String(init.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(script).contains(AgentGuest.PORT_NAME).doesNotContain("9p");
        }
    }
}
