package io.msrconf.matrix;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.msrconf.pipeline.RunSummary;
import io.msrconf.report.SummaryJson;
import io.msrconf.target.KvmTarget;
import io.msrconf.util.FileTrees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Shards made one: the result directories of several {@code matrix} or {@code run} invocations (one per CI job,
 * machine or kernel) read back as the kernels of one matrix, as if one machine had run them all. A matrix directory
 * brings its kernels/LABEL folders; a run directory (its summary.json at the top) brings one kernel, named by the
 * target its summary records. Two shards that bring the same kernel conflict: the merge stops and names both,
 * it never picks one.
 */
public final class MatrixMerge {

    /** Shards that cannot be merged: conflicting duplicates, or a directory that is no result of msrconf. */
    public static final class Problem extends RuntimeException {
        public Problem(String message) {
            super(message);
        }
    }

    /** One kernel of a shard: where its results are, and what the shard recorded about its run. */
    record Shard(Path source, String label, KvmTarget target, Path kernelDir, Path resultsDir, boolean ran, String failure,
                 Duration elapsed) {
    }

    private MatrixMerge() {
    }

    /**
     * Reads the shards and copies each kernel's folder into {@code kernelsOut} (kernels/LABEL, as a matrix writes
     * them); returns the kernels in the order of the inputs, ready for {@link MatrixReport}.
     */
    public static List<KernelMatrix.KernelResult> merge(List<Path> inputs, Path kernelsOut) {
        List<Shard> shards = new ArrayList<>();
        for (Path in : inputs) {
            shards.addAll(read(in));
        }
        Map<String, Shard> byLabel = new LinkedHashMap<>();
        List<String> conflicts = new ArrayList<>();
        for (Shard s : shards) {
            Shard before = byLabel.putIfAbsent(s.label(), s);
            if (before != null) {
                conflicts.add("kernel " + s.label() + " (" + s.target().spec() + ") is in both " + before.source() + " and " + s.source());
            }
        }
        if (!conflicts.isEmpty()) {
            throw new Problem("conflicting shards, nothing merged: " + String.join("; ", conflicts)
                    + " (merge each kernel from one shard only)");
        }
        List<KernelMatrix.KernelResult> out = new ArrayList<>();
        try {
            for (Shard s : byLabel.values()) {
                Path dest = kernelsOut.resolve(s.label());
                if (s.kernelDir() != null) {
                    FileTrees.copy(s.kernelDir(), dest);
                } else {
                    // a run directory: its results become the kernel's results/ folder
                    Files.createDirectories(dest);
                    FileTrees.copy(s.resultsDir(), dest.resolve("results"));
                }
                Optional<RunSummary> summary = s.ran() ? Optional.of(SummaryJson.read(dest.resolve("results").resolve("summary.json")))
                        : Optional.empty();
                out.add(new KernelMatrix.KernelResult(s.target(), summary, s.failure(), dest, s.elapsed()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the shards into " + kernelsOut + ": " + e.getMessage(), e);
        }
        return out;
    }

    private static List<Shard> read(Path dir) {
        Path matrix = dir.resolve("matrix.json");
        Path summary = dir.resolve("summary.json");
        if (Files.isRegularFile(matrix)) {
            return readMatrix(dir, matrix);
        }
        if (Files.isRegularFile(summary)) {
            RunSummary s = readSummary(summary);
            String spec = s.environment().getOrDefault("target", "");
            if (spec.isEmpty()) {
                throw new Problem(summary + " names no target (environment 'target'): it is not a result of msrconf run");
            }
            KvmTarget target = KvmTarget.recorded(spec);
            return List.of(new Shard(dir, target.label(), target, null, dir, true, "", Duration.ZERO));
        }
        throw new Problem(dir + " is not a result directory of msrconf matrix (matrix.json) or run (summary.json)");
    }

    private static List<Shard> readMatrix(Path dir, Path matrix) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(matrix.toFile());
        } catch (IOException e) {
            throw new Problem(matrix + " is not readable JSON: " + e.getMessage());
        }
        if (!MatrixReport.FORMAT.equals(root.path("format").asText())) {
            throw new Problem(matrix + ": format '" + root.path("format").asText() + "', expected " + MatrixReport.FORMAT);
        }
        List<Shard> out = new ArrayList<>();
        int i = 0;
        for (JsonNode k : root.path("kernels")) {
            String where = matrix + ": kernels[" + i++ + "]";
            String spec = k.path("target").asText("");
            if (spec.isEmpty()) {
                throw new Problem(where + ": no target");
            }
            KvmTarget target = KvmTarget.recorded(spec);
            boolean ran = k.path("ran").asBoolean(false);
            Path kernelDir = dir.resolve("kernels").resolve(target.label()).normalize();
            if (!kernelDir.startsWith(dir.resolve("kernels")) || !Files.isDirectory(kernelDir)) {
                throw new Problem(where + ": its folder " + kernelDir + " is missing");
            }
            if (ran && !Files.isRegularFile(kernelDir.resolve("results").resolve("summary.json"))) {
                throw new Problem(where + ": ran, but " + kernelDir.resolve("results/summary.json") + " is missing");
            }
            Duration elapsed = Duration.ofMillis(Math.round(k.path("elapsedSeconds").asDouble(0) * 1000));
            out.add(new Shard(dir, target.label(), target, kernelDir, kernelDir.resolve("results"), ran, k.path("failure").asText(""), elapsed));
        }
        return out;
    }

    private static RunSummary readSummary(Path file) {
        try {
            return SummaryJson.read(file);
        } catch (RuntimeException e) {
            throw new Problem(file + " is not a summary msrconf can read: " + e.getMessage());
        }
    }
}
