package io.msrconf.bench;

import io.msrconf.guest.Payload;
import io.msrconf.spec.Case;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** bench/floor.c, compiled with gcc into a temporary directory and run on the benchmark's workload. */
final class Floor implements AutoCloseable {

    private final Path dir;
    private final Path binary;

    private Floor(Path dir, Path binary) {
        this.dir = dir;
        this.binary = binary;
    }

    /** Where floor.c is: the given path, or bench/floor.c from the repository root or from a module directory. */
    static Path locateSource(Path given) {
        if (given != null) {
            return given;
        }
        for (Path p : List.of(Path.of("bench", "floor.c"), Path.of("..", "bench", "floor.c"))) {
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new IllegalStateException("bench/floor.c not found (run from the repository root, or pass --floor-source)");
    }

    static Floor compile(Path source) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("msrconf-floor");
        Path binary = dir.resolve("floor");
        String output = run(List.of("gcc", "-O2", "-std=gnu11", "-Wall", "-o", binary.toString(), source.toAbsolutePath().toString()), dir);
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException("gcc could not build " + source + ":\n" + output);
        }
        return new Floor(dir, binary);
    }

    /** Runs the cases; the medians floor.c prints, in nanoseconds, by key. */
    Map<String, Long> measure(Payload payload, List<Case> cases, int rounds, int warmup) throws IOException, InterruptedException {
        Path input = dir.resolve("input.bin");
        Files.write(input, FloorInput.encode(payload, cases, rounds, warmup));
        String output = run(List.of(binary.toString(), input.toString()), dir);
        Map<String, Long> values = new HashMap<>();
        for (String line : output.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0 && line.substring(eq + 1).matches("\\d+")) {
                values.put(line.substring(0, eq), Long.parseLong(line.substring(eq + 1)));
            }
        }
        if (!values.containsKey("case_ns")) {
            throw new IllegalStateException("floor.c failed:\n" + output);
        }
        return values;
    }

    private static String run(List<String> command, Path dir) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException(command.get(0) + " did not finish");
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
        }
        Files.deleteIfExists(dir);
    }
}
