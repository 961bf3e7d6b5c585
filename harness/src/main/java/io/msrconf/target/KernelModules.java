package io.msrconf.target;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * A kernel's module tree ({@code lib/modules/RELEASE}, as a Debian package or {@code make modules_install}
 * leaves it) and the modules the guest must load, in an order busybox {@code insmod} accepts: each
 * module after its dependencies. Dependencies are read from the module's own {@code .modinfo}
 * ("depends="), as {@code modinfo -F depends} does, because packages ship no {@code modules.dep}
 * (depmod writes it at install time). Modules listed in {@code modules.builtin} are skipped: they are in
 * the kernel image already.
 */
public final class KernelModules {

    /** The agent's channel: a virtio-serial port on virtio-pci; then KVM for AMD (QEMU's TCG emulates SVM, not VMX). */
    public static final List<String> TRANSPORT_MODULES = List.of("virtio_pci", "virtio_console");
    public static final List<String> KVM_MODULES = List.of("kvm", "kvm_amd");

    /** A module to load: its name as /sys/module shows it and its uncompressed ELF bytes. */
    public record Module(String name, byte[] elf) {
    }

    private final Path dir;
    private final Map<String, Path> files = new HashMap<>();
    private final Set<String> builtin = new TreeSet<>();

    private KernelModules(Path dir) {
        this.dir = dir;
    }

    /** @param dir the {@code lib/modules/RELEASE} directory */
    public static KernelModules in(Path dir) {
        if (!Files.isDirectory(dir.resolve("kernel"))) {
            throw new IllegalArgumentException(dir + " is not a kernel module tree (it has no kernel/ directory;"
                    + " pass the lib/modules/RELEASE directory that `make modules_install` writes)");
        }
        KernelModules m = new KernelModules(dir);
        try (Stream<Path> all = Files.walk(dir.resolve("kernel"))) {
            all.filter(Files::isRegularFile).forEach(p -> {
                String name = moduleName(p.getFileName().toString());
                if (name != null) {
                    m.files.putIfAbsent(name, p);
                }
            });
            Path builtinList = dir.resolve("modules.builtin");
            if (Files.isRegularFile(builtinList)) {
                for (String line : Files.readAllLines(builtinList)) {
                    String name = moduleName(Path.of(line.strip()).getFileName().toString());
                    if (name != null) {
                        m.builtin.add(name);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the module tree " + dir + ": " + e.getMessage(), e);
        }
        return m;
    }

    /** The module name of a file name ("kvm-amd.ko.xz" is kvm_amd), or null when it is not a module. */
    static String moduleName(String fileName) {
        for (String suffix : List.of(".ko", ".ko.xz", ".ko.zst", ".ko.gz")) {
            if (fileName.endsWith(suffix)) {
                return fileName.substring(0, fileName.length() - suffix.length()).replace('-', '_');
            }
        }
        return null;
    }

    public boolean isBuiltin(String name) {
        return builtin.contains(name);
    }

    public boolean has(String name) {
        return builtin.contains(name) || files.containsKey(name);
    }

    /**
     * The modules to insmod for {@code wanted} and everything they depend on, dependencies first.
     * Built-in modules are left out; a wanted module that is neither built in nor present is an error
     * naming the tree.
     */
    public List<Module> loadOrder(List<String> wanted) {
        Map<String, Module> order = new LinkedHashMap<>();
        for (String name : wanted) {
            add(name, order, new ArrayList<>());
        }
        return List.copyOf(order.values());
    }

    private void add(String rawName, Map<String, Module> order, List<String> path) {
        String name = rawName.strip().replace('-', '_');   // "depends=" may spell a module as its file is named (rng-core)
        if (order.containsKey(name) || builtin.contains(name)) {
            return;
        }
        if (path.contains(name)) {
            throw new IllegalArgumentException("module dependency cycle in " + dir + ": " + String.join(" -> ", path) + " -> " + name);
        }
        Path file = files.get(name);
        if (file == null) {
            throw new IllegalArgumentException("module " + name + (path.isEmpty() ? "" : " (needed by " + path.get(path.size() - 1) + ")")
                    + " is neither built into the kernel nor in " + dir);
        }
        byte[] elf = uncompressed(file);
        path.add(name);
        for (String dep : depends(elf)) {
            add(dep, order, path);
        }
        path.remove(path.size() - 1);
        order.put(name, new Module(name, elf));
    }

    /** The "depends=" entry of a module's .modinfo: NUL-separated key=value strings in the ELF file. */
    static List<String> depends(byte[] elf) {
        byte[] key = "\0depends=".getBytes(StandardCharsets.US_ASCII);
        outer:
        for (int i = 0; i + key.length <= elf.length; i++) {
            for (int j = 0; j < key.length; j++) {
                if (elf[i + j] != key[j]) {
                    continue outer;
                }
            }
            int start = i + key.length;
            int end = start;
            while (end < elf.length && elf[end] != 0) {
                end++;
            }
            String value = new String(elf, start, end - start, StandardCharsets.US_ASCII).strip();
            return value.isEmpty() ? List.of() : List.of(value.split(","));
        }
        return List.of();
    }

    private static byte[] uncompressed(Path file) {
        String name = file.getFileName().toString();
        try {
            if (name.endsWith(".ko")) {
                return Files.readAllBytes(file);
            }
            if (name.endsWith(".gz")) {
                try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
                    return in.readAllBytes();
                }
            }
            // xz and zstd have no decoder in the JDK: use the tools (Debian packages xz-utils, zstd).
            return runDecompressor(name.endsWith(".xz") ? "xz" : "zstd", file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read module " + file + ": " + e.getMessage(), e);
        }
    }

    private static byte[] runDecompressor(String tool, Path file) throws IOException {
        Process p;
        try {
            p = new ProcessBuilder(tool, "-dc", file.toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new IOException(tool + " is needed to decompress " + file.getFileName() + " but cannot be started: " + e.getMessage(), e);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = p.getInputStream()) {
            in.transferTo(out);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException(tool + " -dc " + file + " failed");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while decompressing " + file, e);
        }
        return out.toByteArray();
    }
}
