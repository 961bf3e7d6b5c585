package io.msrconf.target;

import io.msrconf.spec.KernelVersion;

import io.msrconf.kvm.local.LocalKvm;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A KVM to test, as the user names it ({@code --kvm}, and each kernel of a matrix):
 * <ul>
 *   <li>{@code host}: this machine's {@code /dev/kvm};</li>
 *   <li>{@code debian:SERIES}: the newest Debian kernel of a series (5.10, 6.1, 6.12), fetched once, cached,
 *       and booted under QEMU;</li>
 *   <li>{@code IMAGE[,modules=DIR]}: a kernel image the user built, booted under QEMU, with the
 *       {@code lib/modules/RELEASE} tree of its modules unless virtio-serial and KVM are built in;</li>
 *   <li>{@code off}: no KVM at all (only the emulator is tested).</li>
 * </ul>
 * A booted target is driven through the msrconf agent in the guest ({@link AgentGuest}); the Java code
 * that runs cases is the same for every kind.
 */
public record KvmTarget(String spec, Kind kind, String series, Path image, Optional<Path> modules) {

    public enum Kind { OFF, HOST, DEBIAN, IMAGE }

    public static final List<String> DEBIAN_SERIES = List.of("5.10", "6.1", "6.12");
    /** The kernel booted when this machine's /dev/kvm cannot be used: the newest Debian series. */
    public static final String DEFAULT_GUEST = "debian:6.12";
    /** The matrix's default: the three Debian kernels, then the host's own. */
    public static final List<String> DEFAULT_MATRIX = List.of("debian:5.10", "debian:6.1", "debian:6.12", "host");
    /**
     * Module parameters for every booted kernel: the forced-emulation prefix lets the side-effect cases
     * send one instruction through KVM's instruction emulator (x86.c handle_ud(); off by default, and not
     * something msrconf changes on the host's own KVM).
     */
    public static final Map<String, String> GUEST_MODULE_PARAMETERS = Map.of("kvm", "force_emulation_prefix=1");

    public static KvmTarget parse(String spec) {
        return parse(spec, true);
    }

    /**
     * A target as a result names it (matrix.json, summary.json), perhaps written on another machine: an image need
     * not exist here. Such a target names and labels results; it is not opened.
     */
    public static KvmTarget recorded(String spec) {
        return parse(spec, false);
    }

    private static KvmTarget parse(String spec, boolean mustExist) {
        String s = spec.strip();
        if (s.equals("host")) {
            return new KvmTarget(s, Kind.HOST, "", null, Optional.empty());
        }
        if (s.equals("off")) {
            return new KvmTarget(s, Kind.OFF, "", null, Optional.empty());
        }
        if (s.startsWith("debian:")) {
            String series = s.substring("debian:".length());
            if (!DEBIAN_SERIES.contains(series)) {
                throw new IllegalArgumentException("kernel '" + spec + "': Debian series must be one of " + DEBIAN_SERIES);
            }
            return new KvmTarget(s, Kind.DEBIAN, series, null, Optional.empty());
        }
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty KVM target (expected host, debian:SERIES, IMAGE[,modules=DIR] or off)");
        }
        String[] parts = s.split(",", -1);
        Path image = Path.of(parts[0]).toAbsolutePath().normalize();
        Optional<Path> modules = Optional.empty();
        for (int i = 1; i < parts.length; i++) {
            if (!parts[i].startsWith("modules=") || parts[i].length() == "modules=".length()) {
                throw new IllegalArgumentException("kernel '" + spec + "': unknown option '" + parts[i] + "' (expected modules=DIR)");
            }
            modules = Optional.of(Path.of(parts[i].substring("modules=".length())).toAbsolutePath().normalize());
        }
        if (!mustExist) {
            return new KvmTarget(s, Kind.IMAGE, "", image, modules);
        }
        if (!Files.isRegularFile(image)) {
            throw new IllegalArgumentException("kernel image " + image + " does not exist or is not a file");
        }
        if (modules.isPresent() && !Files.isDirectory(modules.get())) {
            throw new IllegalArgumentException("module directory " + modules.get() + " does not exist");
        }
        return new KvmTarget(s, Kind.IMAGE, "", image, modules);
    }

    /** Whether this target is a kernel booted under QEMU (rather than this machine's own KVM). */
    public boolean booted() {
        return kind == Kind.DEBIAN || kind == Kind.IMAGE;
    }

    /** How results name this target before it has run (afterwards the kernel's own release names it). */
    public String label() {
        return switch (kind) {
            case OFF -> "off";
            case HOST -> "host";
            case DEBIAN -> "debian-" + series;
            case IMAGE -> image.getFileName().toString();
        };
    }

    /**
     * Opens this target: this machine's /dev/kvm, or the kernel booted under QEMU with its agent
     * answering. Debian kernels are fetched into {@code cache} first when they are not there.
     */
    public OpenedTarget open(Path cache) throws TargetUnavailable {
        return open(cache, Map.of());
    }

    /**
     * As {@link #open(Path)}, a booted kernel's guest carrying {@code programs} for the agent to run too (the
     * kernel's own selftests); the host has no guest to carry them, so it refuses any.
     */
    public OpenedTarget open(Path cache, Map<String, Path> programs) throws TargetUnavailable {
        if (!programs.isEmpty() && !booted()) {
            throw new IllegalArgumentException(spec + " runs no guest to carry the programs " + programs.keySet());
        }
        return switch (kind) {
            case OFF -> throw new IllegalStateException("--kvm off has no KVM to open");
            case HOST -> {
                Optional<String> why = LocalKvm.unavailableReason();
                if (why.isPresent()) {
                    throw new TargetUnavailable(why.get());
                }
                yield OpenedTarget.host(this, LocalKvm.open());
            }
            case DEBIAN, IMAGE -> {
                Optional<String> why = AgentGuest.unavailableReason();
                if (why.isPresent()) {
                    throw new TargetUnavailable(why.get());
                }
                GuestKernel kernel;
                try {
                    kernel = bootable(cache);
                } catch (IllegalStateException | IllegalArgumentException | UncheckedIOException e) {
                    throw new TargetUnavailable(e.getMessage(), e);
                }
                yield OpenedTarget.guest(this, kernel.withPrograms(programs));
            }
        };
    }

    /**
     * The kernel to boot: the image and modules as given, or the Debian package fetched into
     * {@code cache} (by matrix/fetch-debian-kernel.sh; the network is used only when the series is not cached).
     */
    public GuestKernel bootable(Path cache) {
        return switch (kind) {
            case OFF, HOST -> throw new IllegalStateException(spec + " is not a kernel booted under QEMU");
            case IMAGE -> new GuestKernel(image, modules, GUEST_MODULE_PARAMETERS);
            case DEBIAN -> debian(fetchDebian(series, cache));
        };
    }

    /** The image and module tree inside an extracted Debian kernel package. */
    public static GuestKernel debian(Path extracted) {
        try (Stream<Path> boot = Files.list(extracted.resolve("boot"))) {
            Path image = boot.filter(p -> p.getFileName().toString().startsWith("vmlinuz-")).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no boot/vmlinuz-* in " + extracted));
            String release = image.getFileName().toString().substring("vmlinuz-".length());
            // Debian 12 keeps modules under lib/modules, Debian 13 under usr/lib/modules.
            Path modules = Stream.of("lib/modules/", "usr/lib/modules/").map(d -> extracted.resolve(d + release))
                    .filter(Files::isDirectory).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no lib/modules/" + release + " in " + extracted));
            return new GuestKernel(image, Optional.of(modules), GUEST_MODULE_PARAMETERS);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the kernel package in " + extracted + ": " + e.getMessage(), e);
        }
    }

    /** Where Debian kernels are cached: $MSRCONF_KERNEL_CACHE, else $XDG_CACHE_HOME/msrconf/kernels, else ~/.cache/msrconf/kernels. */
    public static Path defaultCache() {
        String explicit = System.getenv("MSRCONF_KERNEL_CACHE");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("msrconf").resolve("kernels");
    }

    /**
     * The api.rst of each Debian series whose linux-doc is in {@code cache} ({@code fetch-debian-kernel.sh --docs}),
     * by the upstream release of that package (docs-6.12 links to docs-6.12-6.12.117-1: 6.12.117), and the series
     * missing from it.
     */
    public record CachedApiRst(Map<KernelVersion, Path> documents, List<String> missing) {
    }

    public static CachedApiRst cachedApiRst(Path cache) {
        Map<KernelVersion, Path> documents = new java.util.LinkedHashMap<>();
        List<String> missing = new java.util.ArrayList<>();
        for (String series : DEBIAN_SERIES) {
            Path link = cache.resolve("docs-" + series);
            Path api = link.resolve("Documentation/virt/kvm/api.rst");
            try {
                String dir = link.toRealPath().getFileName().toString();   // docs-SERIES-VERSION-DEBIANREVISION
                String version = dir.substring(("docs-" + series + "-").length()).replaceAll("-[^-]*$", "");
                if (!Files.isRegularFile(api)) {
                    throw new IOException("no " + api);
                }
                documents.put(KernelVersion.parse(version.replaceAll("[+~].*$", "")), api);
            } catch (IOException | RuntimeException e) {
                missing.add(series);
            }
        }
        return new CachedApiRst(documents, missing);
    }

    /** Runs the fetch script (from the classpath, so the jar works anywhere) and returns the extracted package. */
    static Path fetchDebian(String series, Path cache) {
        Path cached = cache.resolve("debian-" + series);
        if (Files.isSymbolicLink(cached) && Files.isDirectory(cached) && !"1".equals(System.getenv("MSRCONF_REFRESH_KERNELS"))) {
            try {
                return cached.toRealPath();   // what the script would print, without starting bash
            } catch (IOException e) {
                // fall through to the script, which reports what is wrong
            }
        }
        try {
            Path script = Files.createTempFile("msrconf-fetch-", ".sh", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            try {
                try (InputStream in = KvmTarget.class.getResourceAsStream("/matrix/fetch-debian-kernel.sh")) {
                    if (in == null) {
                        throw new IllegalStateException("/matrix/fetch-debian-kernel.sh is missing from the classpath");
                    }
                    Files.write(script, in.readAllBytes());
                }
                Process p = new ProcessBuilder("bash", script.toString(), series, cache.toString())
                        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
                String out;
                try (InputStream stdout = p.getInputStream()) {
                    out = new String(stdout.readAllBytes(), StandardCharsets.UTF_8).strip();
                }
                if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
                    p.destroyForcibly();
                    throw new IllegalStateException("fetching the Debian " + series + " kernel failed (see the messages above)");
                }
                return Path.of(out.lines().reduce((a, b) -> b).orElseThrow(
                        () -> new IllegalStateException("the fetch script printed no directory")));
            } finally {
                Files.deleteIfExists(script);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot fetch the Debian " + series + " kernel: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while fetching the Debian " + series + " kernel", e);
        }
    }
}
