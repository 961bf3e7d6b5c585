package io.msrconf.target;

import io.msrconf.kvm.KvmException;
import io.msrconf.kvm.agent.AgentKvm;
import io.msrconf.util.ChildProcesses;
import io.msrconf.util.FileTrees;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One kernel booted under QEMU with the msrconf agent answering in it: software emulation
 * ({@code -accel tcg -cpu max}, whose emulated SVM lets the guest kernel load its own kvm_amd), one vCPU
 * (under TCG, {@code -smp 2} crashed a 6.12 guest), and a virtio-serial port named {@value #PORT_NAME}
 * whose host end is a UNIX socket in this guest's work directory. The guest's whole filesystem is the
 * initramfs msrconf builds: busybox, the agent, the modules and {@code /init}; nothing of the host's
 * filesystem is shared with it.
 *
 * <p>QEMU runs under {@link ChildProcesses}'s lifeline, so it dies with the JVM however the JVM ends; a
 * kernel panic powers the guest off ({@code panic=-1} with {@code -no-reboot}), which the transport sees
 * as a closed channel.
 */
public final class AgentGuest implements AutoCloseable {

    public static final String QEMU = "qemu-system-x86_64";
    /** The virtio-serial port's name, which the guest's init looks up in /sys/class/virtio-ports. */
    static final String PORT_NAME = "msrconf.agent";
    /** The agent binary, built by the guest-agent module into the classpath. */
    static final String AGENT_RESOURCE = "/agent/msrconf-agent";
    static final String INIT_RESOURCE = "/target/agent-init.sh";
    /** How long a guest may take from QEMU's start to the agent's banner (TCG on a busy 2-core machine). */
    static final Duration BOOT_TIMEOUT = Duration.ofSeconds(180);
    /** Guest RAM: the kernel, the initramfs unpacked in it, and the test VMs' few pages. */
    static final int MEMORY_MB = 512;

    private final String name;
    private final Path workDir;
    private final Process qemu;
    private final AgentKvm kvm;
    private final Duration bootTime;

    private AgentGuest(String name, Path workDir, Process qemu, AgentKvm kvm, Duration bootTime) {
        this.name = name;
        this.workDir = workDir;
        this.qemu = qemu;
        this.kvm = kvm;
        this.bootTime = bootTime;
    }

    /** Why guests cannot be booted here, if they cannot: QEMU, a static busybox or the agent is missing. */
    public static Optional<String> unavailableReason() {
        if (findOnPath(QEMU).isEmpty()) {
            return Optional.of(QEMU + " is not installed (Debian package qemu-system-x86)");
        }
        if (staticBusybox().isEmpty()) {
            return Optional.of("no statically linked busybox for the guest's init (Debian package busybox-static)");
        }
        if (AgentGuest.class.getResource(AGENT_RESOURCE) == null) {
            return Optional.of("the guest agent " + AGENT_RESOURCE + " is not on the classpath (build the guest-agent module: mvn install)");
        }
        return Optional.empty();
    }

    /**
     * Boots {@code kernel} and connects to its agent. {@code name} says which target this is in messages
     * ("debian:6.12"). On failure QEMU is stopped, the work directory removed, and the exception carries the
     * end of the guest's console.
     */
    public static AgentGuest boot(String name, GuestKernel kernel, Duration timeout) throws TargetUnavailable {
        return boot(name, kernel, timeout, null);
    }

    /** {@link #boot(String, GuestKernel, Duration)} with its work directory under {@code workBase} (null: the system's temporary directory). */
    static AgentGuest boot(String name, GuestKernel kernel, Duration timeout, Path workBase) throws TargetUnavailable {
        long start = System.nanoTime();
        Path workDir;
        try {
            workDir = workBase == null ? Files.createTempDirectory("msrconf-guest-") : Files.createTempDirectory(workBase, "msrconf-guest-");
        } catch (IOException e) {
            throw new TargetUnavailable("cannot create a work directory for the guest: " + e.getMessage(), e);
        }
        Process qemu = null;
        try {
            Path initrd = workDir.resolve("initramfs.cpio.gz");
            initramfs(kernel).writeTo(initrd);
            Path socket = workDir.resolve("agent.sock");
            List<String> argv = qemuCommand(kernel, bootImage(kernel), initrd, workDir.resolve("console.log"), socket);
            qemu = ChildProcesses.start(new ProcessBuilder(argv).redirectErrorStream(true)
                    .redirectOutput(workDir.resolve("qemu.log").toFile()));
            SocketChannel channel = connect(socket, qemu, timeout);
            Duration left = timeout.minusNanos(System.nanoTime() - start);
            AgentKvm kvm = AgentKvm.connect(channel, "the " + name + " guest", left.isNegative() ? Duration.ZERO : left);
            return new AgentGuest(name, workDir, qemu, kvm, Duration.ofNanos(System.nanoTime() - start));
        } catch (KvmException | IOException | UncheckedIOException | IllegalArgumentException e) {
            String why = e.getMessage();
            if (e instanceof KvmException k && k.errno() != 0 && k.operation().startsWith("open /dev/kvm")) {
                // the guest is up and its agent answers, but its kernel offers no KVM
                why = "no usable /dev/kvm in the guest running " + guestRelease(workDir.resolve("console.log")) + ": " + why
                        + " (a kernel without KVM, or kvm_amd did not load)";
            } else if (qemu != null && exitedSoon(qemu)) {
                // what the channel saw then (reset, closed, no socket) depends on timing; QEMU's end does not
                why = "QEMU exited with status " + qemu.exitValue() + " before the agent answered (" + why + ")";
            }
            why += lastLines(workDir.resolve("console.log"), workDir.resolve("qemu.log"));
            if (qemu != null) {
                ChildProcesses.kill(qemu);
            }
            FileTrees.deleteQuietly(workDir);
            throw new TargetUnavailable(name + " did not come up: " + why, e);
        }
    }

    /**
     * QEMU's command line. Paths inside QEMU option strings ({@code key=value,...}) have their commas
     * doubled, QEMU's escape, so a directory named "x,y" cannot add options; the paths given as whole
     * arguments ({@code -kernel}, {@code -initrd}) need none.
     */
    static List<String> qemuCommand(GuestKernel kernel, Path image, Path initrd, Path console, Path socket) {
        return List.of(QEMU, "-accel", "tcg", "-cpu", "max", "-smp", "1",
                "-m", Integer.toString(MEMORY_MB), "-nodefaults", "-display", "none", "-no-reboot",
                "-chardev", "file,id=console,path=" + optionValue(console), "-serial", "chardev:console",
                "-kernel", image.toString(), "-initrd", initrd.toString(), "-append", commandLine(kernel),
                "-device", "virtio-serial-pci",
                "-chardev", "socket,id=agent,path=" + optionValue(socket) + ",server=on,wait=off",
                "-device", "virtserialport,chardev=agent,name=" + PORT_NAME);
    }

    /** A value inside a QEMU option string: a comma would end it, so QEMU reads ",," as one comma. */
    static String optionValue(Path path) {
        return path.toString().replace(",", ",,");
    }

    /**
     * What QEMU's -kernel gets: the kernel's PVH ELF (extracted once into the kernel cache; it boots about
     * a second faster under TCG), else the image as given.
     */
    static Path bootImage(GuestKernel kernel) {
        return PvhKernel.of(kernel.image(), KvmTarget.defaultCache().resolve("pvh")).orElse(kernel.image());
    }

    /** Whether QEMU has ended, or ends within a moment (a kernel it cannot load makes it exit right away). */
    private static boolean exitedSoon(Process qemu) {
        try {
            return qemu.waitFor(500, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !qemu.isAlive();
        }
    }

    /** The release the guest's /init printed on the console ("msrconf-guest: kernel RELEASE; ..."), or "?". */
    static String guestRelease(Path console) {
        try {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("msrconf-guest: kernel (\\S+);").matcher(Files.readString(console));
            return m.find() ? m.group(1) : "?";
        } catch (IOException | UncheckedIOException e) {
            return "?";
        }
    }

    /** Connects to QEMU's end of the agent port, which exists once QEMU has started listening. */
    private static SocketChannel connect(Path socket, Process qemu, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (Files.exists(socket)) {
                SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                try {
                    ch.connect(UnixDomainSocketAddress.of(socket));
                    return ch;
                } catch (IOException e) {
                    ch.close();
                    if (System.nanoTime() > deadline) {
                        throw e;
                    }
                }
            }
            if (!qemu.isAlive()) {
                throw new IOException("QEMU ended before it opened the agent's socket");
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("QEMU did not open the agent's socket within " + timeout.toSeconds() + " s");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for QEMU", e);
            }
        }
    }

    public AgentKvm kvm() {
        return kvm;
    }

    public Duration bootTime() {
        return bootTime;
    }

    /** Whether QEMU still runs and the agent still answers. */
    public boolean alive() {
        return qemu.isAlive() && kvm.reachable();
    }

    /** The end of the guest's console and of QEMU's own output, for a message about a lost guest. */
    public String lastWords() {
        return lastLines(workDir.resolve("console.log"), workDir.resolve("qemu.log"));
    }

    /** Copies the guest's console so far to {@code destination}. */
    public void saveConsole(Path destination) throws IOException {
        Path console = workDir.resolve("console.log");
        if (Files.isRegularFile(console)) {
            Files.copy(console, destination, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Powers the guest off (QEMU is killed if it does not end promptly) and removes its work directory. */
    @Override
    public void close() {
        try {
            if (kvm.reachable()) {
                kvm.powerOff();
            }
            kvm.close();
            try {
                qemu.waitFor(2, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } finally {
            ChildProcesses.kill(qemu);
            FileTrees.deleteQuietly(workDir);
        }
    }

    /**
     * The kernel command line. Module parameters go there too, as MODULE.PARAM=VALUE, for kernels that
     * build the module in (busybox insmod gets them from the initramfs for loadable modules).
     * {@code cryptomgr.notests} skips the crypto self-tests, a second of TCG time at every boot that
     * nothing here needs. {@code oops=panic} with {@code panic=-1} (and QEMU's -no-reboot) makes a kernel oops end
     * QEMU at once: an oops in KVM (a broken or mutated module) otherwise kills the agent and leaves a wedged kernel
     * behind, which the harness could tell from a slow one only at the agent's deadline. The oops itself
     * stays on the console, which the results keep.
     */
    static String commandLine(GuestKernel kernel) {
        StringBuilder sb = new StringBuilder("console=ttyS0 quiet oops=panic panic=-1 mitigations=off cryptomgr.notests");
        kernel.moduleParameters().forEach((module, params) -> {
            for (String p : params.trim().split("\\s+")) {
                if (!p.isEmpty()) {
                    sb.append(' ').append(module).append('.').append(p);
                }
            }
        });
        return sb.toString();
    }

    /** The initramfs: busybox, the agent, /init, and the modules in load order with their parameters. */
    static Initramfs initramfs(GuestKernel kernel) throws IOException {
        Initramfs fs = new Initramfs();
        for (String d : List.of("bin", "proc", "sys", "dev", "modules")) {
            fs.dir(d);
        }
        if (!kernel.programs().isEmpty()) {
            fs.dir("programs");
        }
        for (java.util.Map.Entry<String, Path> p : new java.util.TreeMap<>(kernel.programs()).entrySet()) {
            fs.file("programs/" + p.getKey(), Files.readAllBytes(p.getValue()), 0755);
        }
        Path busybox = staticBusybox().orElseThrow(() -> new IOException("no statically linked busybox"));
        fs.file("bin/busybox", Files.readAllBytes(busybox), 0755);
        for (String applet : List.of("sh", "mount", "insmod", "poweroff", "cat", "echo", "sleep", "uname", "ls", "grep", "tr")) {
            fs.symlink("bin/" + applet, "busybox");
        }
        fs.file("bin/msrconf-agent", resource(AGENT_RESOURCE), 0755);
        fs.file("init", resource(INIT_RESOURCE), 0755);
        List<KernelModules.Module> modules = List.of();
        if (kernel.modules().isPresent()) {
            KernelModules tree = KernelModules.in(kernel.modules().get());
            List<String> wanted = new ArrayList<>(KernelModules.TRANSPORT_MODULES);
            // A kernel built without KVM still boots: its agent then reports /dev/kvm absent, and the target says so.
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

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = AgentGuest.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException(name + " is missing from the classpath");
            }
            return in.readAllBytes();
        }
    }

    /** A busybox on PATH (or in /bin) that is statically linked: the initramfs has no C library. */
    static Optional<Path> staticBusybox() {
        List<Path> candidates = new ArrayList<>();
        findOnPath("busybox").ifPresent(candidates::add);
        candidates.add(Path.of("/bin/busybox"));
        return candidates.stream().filter(AgentGuest::isStaticElf).findFirst();
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
