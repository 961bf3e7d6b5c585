package io.msrconf.kernelmutants;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every generated mutant of the site list's functions in a kernel source tree: each operator at each of its
 * sites, in file, function and source order. A function of the list that is not in the source is an error
 * naming all of them, since a silently smaller mutant set would read as a better score.
 */
public final class MutantGenerator {

    private MutantGenerator() {
    }

    public static List<Mutant> generate(Path sourceRoot, SiteList sites) {
        List<Mutant> mutants = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, List<SiteList.Site>> f : sites.files().entrySet()) {
            Path path = sourceRoot.resolve(f.getKey());
            String text;
            try {
                text = Files.readString(path);
            } catch (IOException e) {
                missing.add(f.getKey() + ": cannot read " + path + " (" + e.getMessage() + ")");
                continue;
            }
            List<CToken> tokens = CTokenizer.tokenize(text);
            for (SiteList.Site site : f.getValue()) {
                try {
                    SourceRegion region = site.caseLabel().isEmpty()
                            ? FunctionLocator.function(f.getKey(), tokens, site.function())
                            : FunctionLocator.caseBlock(f.getKey(), tokens, site.function(), site.caseLabel());
                    mutants.addAll(mutantsOf(region, text));
                } catch (FunctionLocator.NotFound e) {
                    missing.add(e.getMessage());
                }
            }
        }
        if (!missing.isEmpty()) {
            throw new SiteList.Invalid("the site list does not match the source in " + sourceRoot + ":\n  " + String.join("\n  ", missing));
        }
        Set<String> ids = new HashSet<>();
        for (Mutant m : mutants) {
            if (!ids.add(m.id())) {
                throw new SiteList.Invalid("two mutants with the id " + m.id() + " (a function listed twice?)");
            }
        }
        return mutants;
    }

    /** The mutants of one function or case block, every operator. */
    public static List<Mutant> mutantsOf(SourceRegion region, String text) {
        List<Mutant> out = new ArrayList<>();
        for (MutationOperator op : MutationOperator.values()) {
            int ordinal = 0;
            for (SourceEdit e : op.edits(region, text)) {
                ordinal++;
                String id = shortPath(region.file()) + ":" + region.name() + ":" + op.id() + ":" + ordinal;
                out.add(new Mutant(id, region.file(), region.name(), op.id(), ordinal, UnifiedDiff.lineIndex(text, e.start()) + 1,
                        e.original(text), e.replacement(), UnifiedDiff.of(region.file(), text, e), e, null, List.of(region.file()), ""));
            }
        }
        return out;
    }

    /** Ids name files under arch/x86/kvm by their path there (x86.c, svm/svm.c): short, and still unique. */
    static String shortPath(String file) {
        return file.startsWith("arch/x86/kvm/") ? file.substring("arch/x86/kvm/".length()) : file;
    }

    /** The pristine text of the files a mutant changes, after the change. */
    public static String mutatedText(Mutant m, Path sourceRoot) {
        try {
            return m.edit().applyTo(Files.readString(sourceRoot.resolve(m.file())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
