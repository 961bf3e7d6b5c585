package io.msrconf.kernelmutants;

import io.msrconf.util.FileTrees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The historical mutants: patch files ({@code kernel-mutants/historical/*.patch}) that bring back into the 6.12
 * source a behaviour KVM had once, or a bug it once had. The text before the first {@code ---} line is the
 * patch's header, saying what it reverts to; its first line is the mutant's description. Patches are applied
 * with GNU {@code patch -p1}, the tool their format is for; a patch that does not apply cleanly is an error
 * naming it, found when the mutants are loaded, not half-way through a campaign.
 */
public final class HistoricalMutants {

    private static final Pattern HUNK = Pattern.compile("^@@ -(\\d+)(?:,\\d+)? \\+\\d+(?:,\\d+)? @@ ?(.*)$", Pattern.MULTILINE);

    /** A patch that cannot be used: which one and why. */
    public static final class BadPatch extends RuntimeException {
        public BadPatch(String message) {
            super(message);
        }
    }

    private HistoricalMutants() {
    }

    /** Every patch of the directory, in name order, each checked to apply to the source root. */
    public static List<Mutant> load(Path directory, Path sourceRoot) {
        List<Path> patches;
        try (Stream<Path> s = Files.list(directory)) {
            patches = s.filter(p -> p.getFileName().toString().endsWith(".patch")).sorted().toList();
        } catch (IOException e) {
            throw new BadPatch("cannot read the historical mutants in " + directory + ": " + e.getMessage());
        }
        List<Mutant> out = new ArrayList<>();
        for (Path p : patches) {
            Mutant m = parse(p);
            Path scratch = null;
            try {
                scratch = Files.createTempDirectory("msrconf-historical-");
                apply(m, sourceRoot, scratch);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                if (scratch != null) {
                    FileTrees.deleteQuietly(scratch);
                }
            }
            out.add(m);
        }
        return out;
    }

    static Mutant parse(Path patch) {
        String text;
        try {
            text = Files.readString(patch);
        } catch (IOException e) {
            throw new BadPatch("cannot read " + patch + ": " + e.getMessage());
        }
        String name = patch.getFileName().toString().replaceFirst("\\.patch$", "");
        int diffStart = text.startsWith("--- ") ? 0 : text.indexOf("\n--- ") + 1;
        if (diffStart <= 0 && !text.startsWith("--- ")) {
            throw new BadPatch(patch + ": no '--- a/FILE' line: not a unified diff");
        }
        String header = text.substring(0, diffStart).strip();
        String description = header.lines().map(l -> l.replaceFirst("^#\\s*", "").strip()).filter(l -> !l.isEmpty())
                .findFirst().orElseThrow(() -> new BadPatch(patch + ": no header saying what it brings back (the lines before '--- a/')"));
        Set<String> files = new LinkedHashSet<>();
        text.substring(diffStart).lines().filter(l -> l.startsWith("+++ ")).forEach(l -> {
            String path = l.substring(4).split("\t")[0].strip();
            if (!path.startsWith("b/")) {
                throw new BadPatch(patch + ": '" + l + "' is not the b/PATH of a -p1 patch");
            }
            files.add(path.substring(2));
        });
        Matcher hunk = HUNK.matcher(text);
        if (files.isEmpty() || !hunk.find(diffStart)) {
            throw new BadPatch(patch + ": no hunk");
        }
        String function = hunk.group(2).replaceAll("\\(.*", "").replaceAll(".*[\\s*]", "").strip();
        return new Mutant(Mutant.HISTORICAL + ":" + name, files.iterator().next(), function.isEmpty() ? "?" : function,
                Mutant.HISTORICAL, 0, Integer.parseInt(hunk.group(1)), "", "", text.substring(diffStart), null, patch,
                List.copyOf(files), description);
    }

    /**
     * Applies the patch to copies of the files it touches: they are copied from {@code sourceRoot} into
     * {@code target} (over what is there) and patched there.
     */
    public static void apply(Mutant m, Path sourceRoot, Path target) throws IOException {
        for (String f : m.files()) {
            Files.createDirectories(target.resolve(f).getParent());
            Files.copy(sourceRoot.resolve(f), target.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        }
        Process p = new ProcessBuilder("patch", "-p1", "--batch", "--forward", "--no-backup-if-mismatch", "--reject-file=-",
                "-d", target.toString(), "-i", m.patch().toAbsolutePath().toString()).redirectErrorStream(true).start();
        String output;
        try {
            output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new BadPatch(m.patch() + ": patch did not finish");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BadPatch("interrupted while applying " + m.patch());
        }
        if (p.exitValue() != 0) {
            throw new BadPatch(m.patch() + " does not apply to " + sourceRoot + ":\n" + output.strip());
        }
    }
}
