package io.msrconf.matrix;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Boots a kernel under QEMU (software emulation: {@code -accel tcg -cpu max}, whose emulated SVM lets the
 * guest kernel load its own kvm_amd) and runs one command inside it, in the host's root shared read-only
 * over 9p. The command's output directory is shared read-write, so the guest leaves its results where
 * the host reads them. One vCPU: under TCG, {@code -smp 2} crashed a 6.12 guest.
 */
public final class QemuGuest {

    public static final String QEMU = "qemu-system-x86_64";
    /** Where the command's exit status lands, in the output directory (written by the guest's init). */
    public static final String EXIT_STATUS_FILE = "guest-exit-status";

    /** A kernel to boot: the image, and its module tree (absent when KVM and 9p are built in). */
    public record Kernel(Path image, Optional<Path> modules, Map<String, String> moduleParameters) {
    }

    /** How a boot ended: the command's exit status when it ran to the end, else why not. */
    public record Outcome(Optional<Integer> exitStatus, String failure, Path console, Duration elapsed) {

        public boolean completed() {
            return exitStatus.isPresent();
        }
    }

    private QemuGuest() {
    }

    /** Why guests cannot be booted here, if they cannot: QEMU or a static busybox is missing. */
    public static Optional<String> unavailableReason() {
        if (findOnPath(QEMU).isEmpty()) {
            return Optional.of(QEMU + " is not installed (Debian package qemu-system-x86)");
        }
        return staticBusybox().isPresent() ? Optional.empty()
                : Optional.of("no statically linked busybox for the guest's init (Debian package busybox-static)");
    }

    /**
     * Boots {@code kernel}, runs {@code command} (a shell command line, run with {@code /bin/sh -c} in the
     * host root) and waits for the guest to power off, at most {@code timeout}. {@code workDir} receives
     * the initramfs and the console log; {@code outDir} (absolute, existing) is shared with the guest.
     */
    public static Outcome run(Kernel kernel, String command, Path outDir, Path workDir, Duration timeout) {
        long start = System.nanoTime();
        Path console = workDir.resolve("console.log");
        try {
            Files.createDirectories(workDir);
            Files.deleteIfExists(outDir.resolve(EXIT_STATUS_FILE));
            Path initrd = workDir.resolve("initramfs.cpio.gz");
            initramfs(kernel, command, outDir).writeTo(initrd);
            List<String> argv = new ArrayList<>(List.of(QEMU, "-accel", "tcg", "-cpu", "max", "-smp", "1", "-m", "1024",
                    "-nodefaults", "-display", "none", "-no-reboot", "-serial", "file:" + console,
                    "-kernel", kernel.image().toString(), "-initrd", initrd.toString(),
                    "-append", commandLine(kernel),
                    "-virtfs", "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap",
                    "-virtfs", "local,path=" + outDir + ",mount_tag=out,security_model=none"));
            Process qemu = new ProcessBuilder(argv).redirectErrorStream(true)
                    .redirectOutput(workDir.resolve("qemu.log").toFile()).start();
            boolean exited;
            try {
                exited = qemu.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                exited = false;
            } finally {
                qemu.destroyForcibly();
            }
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            Path statusFile = outDir.resolve(EXIT_STATUS_FILE);
            if (Files.isRegularFile(statusFile)) {
                String s = Files.readString(statusFile).strip();
                if (s.matches("\\d{1,3}")) {
                    return new Outcome(Optional.of(Integer.parseInt(s)), "", console, elapsed);
                }
            }
            String why = !exited ? "the guest did not power off within " + timeout.toSeconds() + " s"
                    : "QEMU exited with status " + qemu.exitValue() + " before the command finished";
            return new Outcome(Optional.empty(), why + lastLines(console, workDir.resolve("qemu.log")), console, elapsed);
        } catch (IOException e) {
            return new Outcome(Optional.empty(), "cannot boot the guest: " + e.getMessage(), console,
                    Duration.ofNanos(System.nanoTime() - start));
        }
    }

    /**
     * The kernel command line. Module parameters go there too, as MODULE.PARAM=VALUE, for kernels that
     * build the module in (busybox insmod gets them from the initramfs for loadable modules).
     */
    static String commandLine(Kernel kernel) {
        StringBuilder sb = new StringBuilder("console=ttyS0 quiet panic=-1 mitigations=off");
        kernel.moduleParameters().forEach((module, params) -> {
            for (String p : params.trim().split("\\s+")) {
                if (!p.isEmpty()) {
                    sb.append(' ').append(module).append('.').append(p);
                }
            }
        });
        return sb.toString();
    }

    /** The initramfs: busybox, the guest init, the modules in load order and the command to run. */
    static Initramfs initramfs(Kernel kernel, String command, Path outDir) throws IOException {
        Initramfs fs = new Initramfs();
        for (String d : List.of("bin", "proc", "sys", "dev", "mnt", "mnt/root", "modules")) {
            fs.dir(d);
        }
        Path busybox = staticBusybox().orElseThrow(() -> new IOException(unavailableReason().orElse("no busybox")));
        fs.file("bin/busybox", Files.readAllBytes(busybox), 0755);
        for (String applet : List.of("sh", "mount", "insmod", "poweroff", "cat", "echo", "chroot", "sleep", "uname", "ls",
                "grep", "tr", "sync")) {
            fs.symlink("bin/" + applet, "busybox");
        }
        try (InputStream init = QemuGuest.class.getResourceAsStream("/matrix/guest-init.sh")) {
            if (init == null) {
                throw new IOException("the guest init script /matrix/guest-init.sh is missing from the classpath");
            }
            fs.file("init", init.readAllBytes(), 0755);
        }
        fs.file("msrconf.conf", ("MSRCONF_OUT=" + shellQuote(outDir.toString()) + "\n"
                + "MSRCONF_COMMAND=" + shellQuote(command) + "\n").getBytes(StandardCharsets.UTF_8), 0644);
        List<KernelModules.Module> modules = List.of();
        if (kernel.modules().isPresent()) {
            KernelModules tree = KernelModules.in(kernel.modules().get());
            List<String> wanted = new ArrayList<>(KernelModules.SHARE_MODULES);
            // A kernel built without KVM still boots: the guest then reports KVM unavailable and the cases are skipped.
            KernelModules.KVM_MODULES.stream().filter(tree::has).forEach(wanted::add);
            modules = tree.loadOrder(wanted);
        }
        for (KernelModules.Module m : modules) {
            fs.file("modules/" + m.name() + ".ko", m.elf(), 0644);
            String params = kernel.moduleParameters().getOrDefault(m.name(), "");
            if (!params.isEmpty()) {
                fs.file("modules/" + m.name() + ".params", params.getBytes(StandardCharsets.UTF_8), 0644);
            }
        }
        fs.file("modules/order", (modules.stream().map(KernelModules.Module::name).collect(Collectors.joining(" ")) + "\n")
                .getBytes(StandardCharsets.UTF_8), 0644);
        return fs;
    }

    /** Quotes a value for a POSIX shell: single quotes, with embedded ones closed, escaped and reopened. */
    public static String shellQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** A busybox on PATH (or in /bin) that is statically linked: the initramfs has no C library. */
    static Optional<Path> staticBusybox() {
        List<Path> candidates = new ArrayList<>();
        findOnPath("busybox").ifPresent(candidates::add);
        candidates.add(Path.of("/bin/busybox"));
        return candidates.stream().filter(QemuGuest::isStaticElf).findFirst();
    }

    /** An ELF executable without a PT_INTERP program header needs no dynamic loader. */
    static boolean isStaticElf(Path file) {
        try {
            if (!Files.isRegularFile(file)) {
                return false;
            }
            byte[] head = new byte[4096];
            int n;
            try (InputStream in = Files.newInputStream(file)) {
                n = in.readNBytes(head, 0, head.length);
            }
            ByteBuffer b = ByteBuffer.wrap(head, 0, n).order(ByteOrder.LITTLE_ENDIAN);
            if (n < 64 || b.getInt(0) != 0x464c457f || head[4] != 2) {
                return false;   // not a 64-bit ELF
            }
            long phoff = b.getLong(32);
            int phentsize = Short.toUnsignedInt(b.getShort(54));
            int phnum = Short.toUnsignedInt(b.getShort(56));
            for (int i = 0; i < phnum; i++) {
                long off = phoff + (long) i * phentsize;
                if (off + 4 > n) {
                    return false;
                }
                if (b.getInt((int) off) == 3) {   // PT_INTERP
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static Optional<Path> findOnPath(String program) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String dir : path.split(":")) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** The last lines of the console (what the guest printed last) and of QEMU's own output, for a failure message. */
    static String lastLines(Path... logs) {
        StringBuilder sb = new StringBuilder();
        for (Path p : logs) {
            try {
                if (!Files.isRegularFile(p)) {
                    continue;
                }
                List<String> lines = new String(Files.readAllBytes(p), StandardCharsets.UTF_8).lines()
                        .map(String::stripTrailing).filter(l -> !l.isBlank()).toList();
                if (!lines.isEmpty()) {
                    sb.append("\n  last lines of ").append(p.getFileName()).append(":\n    ")
                            .append(String.join("\n    ", lines.subList(Math.max(0, lines.size() - 8), lines.size())));
                }
            } catch (IOException | UncheckedIOException e) {
                sb.append("\n  (").append(p).append(" unreadable: ").append(e.getMessage()).append(')');
            }
        }
        return sb.toString();
    }
}
