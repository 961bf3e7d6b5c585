package io.msrconf.kernelmutants;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The kernel build environment, through the two scripts of {@code matrix/}: {@code prepare-kvm-build.sh SERIES
 * CACHE} prepares it once (a chroot with the kernel headers, the pristine KVM sources) and prints its directory;
 * {@code build-kvm-modules.sh ENV SOURCES OUT_TREE SLOT} builds KVM's modules from a source copy, with exit
 * status 0 (built), 2 (does not compile) or anything else (an environment problem). Shell scripts, because
 * the work is apt, a chroot and make; Java only starts them and reads their answers.
 */
public final class KvmBuildScripts implements ModuleBuilder {

    public static final String PREPARE = "prepare-kvm-build.sh";
    public static final String BUILD = "build-kvm-modules.sh";

    private final Path scripts;
    private final Path env;
    private final Path logs;

    private KvmBuildScripts(Path scripts, Path env, Path logs) {
        this.scripts = scripts;
        this.env = env;
        this.logs = logs;
    }

    /** Why the scripts cannot be used from this directory, if they cannot. */
    public static Optional<String> missing(Path scripts) {
        for (String s : List.of(PREPARE, BUILD)) {
            if (!Files.isRegularFile(scripts.resolve(s))) {
                return Optional.of("no " + scripts.resolve(s) + " (the kernel build scripts; --scripts DIR names another directory)");
            }
        }
        return Optional.empty();
    }

    /**
     * Prepares the build environment (the script shows its progress on our stderr; only the first time is slow)
     * and returns a builder for it.
     */
    public static KvmBuildScripts prepare(Path scripts, String series, Path cache) throws InterruptedException {
        missing(scripts).ifPresent(m -> {
            throw new EnvironmentProblem(m);
        });
        try {
            Process p = new ProcessBuilder("bash", scripts.resolve(PREPARE).toString(), series, cache.toString())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(60, TimeUnit.MINUTES) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new EnvironmentProblem(PREPARE + " " + series + " failed (status " + (p.isAlive() ? "timeout" : p.exitValue())
                        + "; its messages are above)");
            }
            String last = out.lines().reduce((a, b) -> b).orElse("");
            Path env = Path.of(last);
            if (last.isEmpty() || !Files.isDirectory(env)) {
                throw new EnvironmentProblem(PREPARE + " printed no build environment directory (last line: '" + last + "')");
            }
            return new KvmBuildScripts(scripts, env, null);
        } catch (IOException e) {
            throw new EnvironmentProblem("cannot run " + scripts.resolve(PREPARE) + ": " + e.getMessage());
        }
    }

    /** This environment's builder, keeping each slot's last build output in {@code logs}. */
    public KvmBuildScripts withLogs(Path logs) {
        return new KvmBuildScripts(scripts, env, logs);
    }

    public Path environment() {
        return env;
    }

    /** The pristine sources in a prepared environment: the directory above arch/x86/kvm and virt/kvm. */
    public static Optional<Path> pristineSources(Path env) {
        // prepare-kvm-build.sh keeps them in ENV/pristine; the chroot holds a whole linux-source too, which
        // is not what the builds start from
        for (Path p : List.of(env.resolve("pristine"), env)) {
            if (isSourceRoot(p)) {
                return Optional.of(p);
            }
        }
        try (Stream<Path> walk = Files.walk(env, 4)) {
            return walk.filter(p -> !p.startsWith(env.resolve("chroot")) && Files.isDirectory(p) && isSourceRoot(p)).findFirst();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    public static boolean isSourceRoot(Path dir) {
        return Files.isRegularFile(dir.resolve("arch/x86/kvm/x86.c")) && Files.isDirectory(dir.resolve("virt/kvm"));
    }

    @Override
    public Build build(Path sources, Path outTree, int slot) throws InterruptedException {
        if (logs == null) {
            throw new IllegalStateException("no log directory for the build (withLogs)");
        }
        try {
            Files.createDirectories(logs);
            Path log = logs.resolve("build-slot-" + slot + ".log");
            Process p = new ProcessBuilder("bash", scripts.resolve(BUILD).toString(), env.toString(), sources.toString(),
                    outTree.toString(), String.valueOf(slot)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(30, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new EnvironmentProblem(BUILD + " did not finish within 30 minutes (" + log + ")");
            }
            String messages = Files.readString(log);
            return switch (p.exitValue()) {
                case 0 -> new Build(Result.BUILT, messages);
                case 2 -> new Build(Result.DOES_NOT_COMPILE, compilerErrors(messages));
                default -> throw new EnvironmentProblem(BUILD + " failed with status " + p.exitValue() + ", not a compile error:\n"
                        + tail(messages));
            };
        } catch (IOException e) {
            throw new EnvironmentProblem("cannot run " + scripts.resolve(BUILD) + ": " + e.getMessage());
        }
    }

    /** The compiler's error lines (what a reader wants), or the end of the output when there are none. */
    private static String compilerErrors(String messages) {
        List<String> errors = messages.lines().filter(l -> l.contains("error:")).limit(20).toList();
        return errors.isEmpty() ? tail(messages) : String.join("\n", errors);
    }

    private static String tail(String s) {
        List<String> lines = s.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }
}
