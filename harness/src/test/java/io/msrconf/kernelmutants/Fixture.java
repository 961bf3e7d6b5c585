package io.msrconf.kernelmutants;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The hand-written C fixture (test resources kernelmutants/src), tokenized, and its regions. */
final class Fixture {

    static final Path ROOT = resource("kernelmutants/src");
    static final Path SITES = resource("kernelmutants/sites.yaml");
    static final String FILE = "arch/x86/kvm/x86.c";

    private Fixture() {
    }

    static Path resource(String name) {
        try {
            return Path.of(Fixture.class.getClassLoader().getResource(name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static String text() {
        try {
            return Files.readString(ROOT.resolve(FILE));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<CToken> tokens() {
        return CTokenizer.tokenize(text());
    }

    static SourceRegion function(String name) {
        return FunctionLocator.function(FILE, tokens(), name);
    }

    /** The region's code as text, from after its opening token to before its closing one. */
    static String code(SourceRegion r) {
        return text().substring(r.token(r.open()).end(), r.token(r.close()).start()).strip();
    }

    /** "original → replacement @line" of every edit, for compact assertions. */
    static List<String> described(MutationOperator op, SourceRegion r) {
        String text = text();
        return op.edits(r, text).stream()
                .map(e -> e.original(text).replaceAll("\\s+", " ") + " → " + e.replacement().replaceAll("\\s+", " ")
                        + " @" + (UnifiedDiff.lineIndex(text, e.start()) + 1))
                .toList();
    }
}
